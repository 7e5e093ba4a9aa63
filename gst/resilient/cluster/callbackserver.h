/* gst-resilient: clusterresolver's status-callback listener (SoupServer on
 * the element's ControlLoop). It checks the method, the shared secret and
 * the path, and hands the alias and body of an accepted callback to the
 * element's handler. */
#pragma once

#include "common/controlloop.h"

#include <libsoup/soup.h>

#include <functional>
#include <string>

namespace resilient::gst {

class CallbackServer
{
public:
  struct Reply
  {
    guint status;
    std::string json;
  };
  /* alias ("" for /callbacks), body -> reply; runs on the loop thread. */
  using Handler = std::function<Reply (const std::string &alias,
                                       const std::string &body)>;

  CallbackServer (GstElement *owner, ControlLoop &loop)
      : owner_ (owner), loop_ (loop)
  {
  }
  ~CallbackServer ();
  CallbackServer (const CallbackServer &) = delete;
  CallbackServer &operator= (const CallbackServer &) = delete;

  /* The secret a callback must carry, read at every request (it may
   * change while listening); empty accepts every caller. */
  using Secret = std::function<std::string ()>;

  /* Loop thread. Listens on address:port (0 picks a free port) for POST or
   * PUT on /callbacks[/<alias>]; the secret is required as a bearer token
   * or X-Callback-Secret. False with `error` when it cannot listen. */
  bool start (const std::string &address, int port, Secret secret,
              Handler handler, std::string &error);
  /* Loop thread. */
  void stop ();
  /* The port it listens on, -1 when stopped (loop thread). */
  int bound_port () const { return bound_port_; }

private:
  static void on_request (SoupServer *server, SoupServerMessage *msg,
                          const char *path, GHashTable *query, gpointer data);
  Reply handle (SoupServerMessage *msg, const char *path);

  GstElement *owner_;
  ControlLoop &loop_;
  /* loop thread only */
  SoupServer *server_ = nullptr;
  Secret secret_;
  Handler handler_;
  int bound_port_ = -1;
};

} // namespace resilient::gst
