/* gst-resilient: clusterresolver's HTTP GET client (libsoup 3), driven on
 * the element's ControlLoop. */
#pragma once

#include "common/controlloop.h"

#include <libsoup/soup.h>

#include <functional>
#include <string>

namespace resilient::gst {

struct FetchResult
{
  guint status = 0;
  std::string body;
  std::string error; /* transport error or timeout, empty if none */
};

/* The SoupSession lives on the loop thread: start() and shutdown() assert
 * they run there. fetch_and_wait() is for any other thread. */
class HttpFetcher
{
public:
  explicit HttpFetcher (ControlLoop &loop) : loop_ (loop) {}
  ~HttpFetcher ();
  HttpFetcher (const HttpFetcher &) = delete;
  HttpFetcher &operator= (const HttpFetcher &) = delete;

  using Done = std::function<void (FetchResult)>;
  /* Loop thread: starts a GET of `url` (Accept: application/json, the
   * bearer `token` when not empty); `done` runs on the loop when it ends,
   * with error "timeout" after `timeout_ms`. */
  void start (const std::string &url, const std::string &token,
              guint timeout_ms, Done done);
  /* Not the loop thread: the same GET, waiting for its end. An error
   * "not running" when the loop has stopped. */
  FetchResult fetch_and_wait (const std::string &url, const std::string &token,
                              guint timeout_ms);
  /* Loop thread: aborts what is in flight and drops the session. */
  void shutdown ();

private:
  ControlLoop &loop_;
  SoupSession *session_ = nullptr; /* loop thread only */
};

} // namespace resilient::gst
