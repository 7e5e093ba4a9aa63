/* gst-resilient server side: the HTTP front of a WHIP or WHEP endpoint
 * (libsoup 3 SoupServer), shared by reswhepserversink and
 * reswhipserversrc.
 *
 * It listens (http, or https from a certificate and key file), decides
 * every request with resilient::server::route() (lib/resilient/server),
 * refuses from the head before any body is read (and closes such
 * connections), answers OPTIONS with CORS, sends every refusal as
 * application/problem+json and hands the element only what passed:
 * create (POST of an offer), trickle (PATCH) and remove (DELETE).
 *
 * Everything runs on the owner's ControlLoop thread (the SoupServer is
 * made there, so its sources are attached to that context).
 */
#pragma once

#include "resilient/server/whepserver.h"

#include <gst/gst.h>
#include <libsoup/soup.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

namespace resilient::gst::server {

struct EndpointConfig
{
  std::string address;
  int port = 0;
  std::string certificate_file; /* both set: https */
  std::string key_file;
  resilient::server::Limits limits; /* path, token, protocol, sizes */
};

class Endpoint
{
public:
  struct Handlers
  {
    /* whether session `id` exists, and how many there are */
    std::function<bool (const std::string &id)> exists;
    std::function<unsigned ()> count;
    /* a POST passed: the element answers `msg` (pause it if it answers
     * later) */
    std::function<void (SoupServerMessage *msg, const std::string &offer)>
        create;
    /* a PATCH of session `id` passed */
    std::function<void (SoupServerMessage *msg, const std::string &id,
                        const std::string &if_match, const std::string &body)>
        trickle;
    /* a DELETE of session `id` passed (answered 200 already) */
    std::function<void (const std::string &id)> remove;
  };

  Endpoint (GstObject *owner, Handlers handlers);
  ~Endpoint ();
  Endpoint (const Endpoint &) = delete;
  Endpoint &operator= (const Endpoint &) = delete;

  /* Loop thread. `error` says what is wrong (file, address, port). */
  bool start (const EndpointConfig &config, std::string &error);
  void stop ();

  int port () const { return port_.load (); }
  bool https () const { return https_; }
  std::uint64_t refused () const { return refused_.load (); }
  const EndpointConfig &config () const { return config_; }

  /* Answers `msg` with a refusal (problem+json, Allow, Retry-After,
   * WWW-Authenticate) and counts it. */
  void refuse (SoupServerMessage *msg, const resilient::server::Route &r);
  void refuse (SoupServerMessage *msg, int status, const std::string &detail);
  /* 201 with the answer, Location of session `id`, ETag, Accept-Patch. */
  void created (SoupServerMessage *msg, const std::string &id,
                const std::string &etag, const std::string &answer);

private:
  static void on_early (SoupServer *, SoupServerMessage *msg, const char *,
                        GHashTable *, gpointer user_data);
  static void on_request (SoupServer *, SoupServerMessage *msg, const char *,
                          GHashTable *, gpointer user_data);
  void options (SoupServerMessage *msg, const resilient::server::Route &r,
                bool session);

  GstObject *owner_; /* for logging; not a reference */
  Handlers h_;
  EndpointConfig config_;
  SoupServer *server_ = nullptr;
  bool https_ = false;
  std::atomic<int> port_{ -1 };
  std::atomic<std::uint64_t> refused_{ 0 };
};

/* CORS on every answer, and Connection: close (libsoup 3.2 leaves a
 * kept-alive connection the client closed in CLOSE_WAIT). */
void add_common_headers (SoupServerMessage *msg);
void send_problem (SoupServerMessage *msg, int status, const std::string &title,
                   const std::string &detail);
/* "host:port" of the peer. */
std::string remote_of (SoupServerMessage *msg);
/* A PATCH's sdpfrag: its a=candidate lines into `webrtc` (204), or 412
 * (If-Match is not `etag`) / 422 (an ICE restart). Returns the number of
 * candidates added. */
int trickle_candidates (SoupServerMessage *msg, GstElement *webrtc,
                        const std::string &etag, const std::string &if_match,
                        const std::string &body);
/* A random session id (hex, no dashes). */
std::string new_session_id ();
bool is_loopback (const std::string &address);

} // namespace resilient::gst::server

namespace resilient::gst::server {

/* The listening properties every server element has, installed with ids
 * first .. first+5: address, port, bound-port (read-only), path,
 * certificate-file, key-file. `protocol` ("WHEP") and `peers` ("viewers")
 * go into the blurbs. */
constexpr guint kEndpointProps = 6;
void install_endpoint_properties (GObjectClass *klass, guint first,
                                  const char *protocol, const char *peers,
                                  int default_port, const char *default_path);
/* A configuration with those defaults (address 127.0.0.1). */
EndpointConfig endpoint_defaults (const char *protocol, int port,
                                  const char *path);
/* Set/get one of them into `c` (false: `prop_id` is not one of them). */
bool set_endpoint_property (EndpointConfig &c, guint prop_id, guint first,
                            const GValue *value);
bool get_endpoint_property (const EndpointConfig &c, guint prop_id, guint first,
                            int bound_port, GValue *value);

} // namespace resilient::gst::server
