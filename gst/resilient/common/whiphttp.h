/* gst-resilient: HTTP for the WHIP / WHEP clients, on libsoup 3.
 *
 * HttpClient owns one SoupSession that lives on the element's ControlLoop
 * thread (whose GMainContext is that thread's default), as souphttpsrc and
 * webrtcbin do: libsoup 3 wants a session used from one thread with the
 * async API. Every request has a GCancellable and its own timeout; redirects
 * are never followed by libsoup (SOUP_MESSAGE_NO_REDIRECT, it would turn a
 * POST into a GET and drop Authorization across origins): the caller
 * follows 307/308 by hand through whip::PostExchange. A configured token
 * goes out as "Authorization: Bearer" on every request and is never logged.
 *
 * WhipSignalling runs the protocol on top: OPTIONS for Link ICE servers,
 * the POST of the offer with its redirects, trickle and answer PATCHes and
 * the DELETE, turning each answer into a whip::Verdict.
 *
 * Threads: everything except shutdown() and the constructors runs on the
 * loop thread; callbacks run there too.
 */
#pragma once

#include "common/controlloop.h"
#include "resilient/whip/http.h"

#include <gst/gst.h>

#include <functional>
#include <memory>
#include <string>

namespace resilient::gst {

struct HttpRequest
{
  std::string method;
  std::string url;
  std::string content_type;   /* sent exactly as given */
  std::string body;
  std::string if_match;
  std::string accept;
  unsigned timeout_ms = 10000;
};

struct HttpResult
{
  bool completed = false;     /* an HTTP status came back */
  bool cancelled = false;     /* cancel_all()/shutdown(), not a timeout */
  bool timed_out = false;
  std::string error;          /* transport error when !completed */
  whip::HttpResponse response;
  std::int64_t elapsed_ms = 0;
};

class HttpClient
{
public:
  using Callback = std::function<void (HttpResult)>;

  /* `log_object` names the element in debug logs (may be null). */
  HttpClient (ControlLoop &loop, GstObject *log_object);
  ~HttpClient ();
  HttpClient (const HttpClient &) = delete;
  HttpClient &operator= (const HttpClient &) = delete;

  /* Empty: no Authorization header. */
  void set_token (std::string token);

  /* Loop thread only. The callback runs exactly once, on the loop thread,
   * unless shutdown() came first. */
  void send (HttpRequest req, Callback cb);
  /* Loop thread only: cancels every request in flight. */
  void cancel_all ();
  unsigned in_flight () const;

  /* Any thread but the loop's: cancels everything, waits for libsoup to
   * let go, frees the session. Callbacks of cancelled requests do not run. */
  void shutdown ();

  struct Impl;

private:
  std::shared_ptr<Impl> impl_;
};

struct SignallingConfig
{
  whip::Protocol protocol = whip::Protocol::Whip;
  std::string endpoint;        /* http(s) URL */
  unsigned request_timeout_ms = 10000;
  int max_redirects = 5;
};

class WhipSignalling
{
public:
  WhipSignalling (HttpClient &http, SignallingConfig config);

  struct PostResult
  {
    whip::Verdict verdict;
    std::string answered_url;  /* the URL that answered, after redirects */
    std::string session_url;
    std::string etag;
    std::string sdp;           /* answer, or the WHEP counter-offer */
    std::vector<whip::IceServer> ice_servers;
    int redirects = 0;
    std::int64_t elapsed_ms = 0;
  };

  struct SimpleResult
  {
    whip::Verdict verdict;
    std::string body;
    std::string etag;
  };

  /* OPTIONS on the endpoint; the Link ICE servers (none on any failure). */
  void discover_ice_servers (
      std::function<void (std::vector<whip::IceServer>, whip::Verdict)> cb);
  /* POSTs the offer (application/sdp), following 307/308 with the same
   * body and token. Remembers the session URL and ETag. */
  void post_offer (std::string sdp, std::function<void (PostResult)> cb);
  /* PATCH application/trickle-ice-sdpfrag with If-Match: <ETag>. */
  void patch_trickle (std::string fragment,
      std::function<void (SimpleResult)> cb);
  /* WHEP 406: PATCH our answer (application/sdp). */
  void patch_answer (std::string sdp, std::function<void (SimpleResult)> cb);
  /* DELETE the session (no If-Match), `timeout_ms` bound; a no-op calling
   * back at once without a session. Forgets the session. */
  void teardown (unsigned timeout_ms, std::function<void (SimpleResult)> cb);

  const std::string &session_url () const { return session_url_; }
  const std::string &etag () const { return etag_; }
  bool has_session () const { return !session_url_.empty (); }

private:
  void post_once (std::shared_ptr<whip::PostExchange> x, std::string sdp,
      std::int64_t started, std::function<void (PostResult)> cb);
  void patch (whip::Request kind, std::string content_type, std::string body,
      std::function<void (SimpleResult)> cb);

  HttpClient &http_;
  SignallingConfig config_;
  std::string session_url_;
  std::string etag_;
};

/* Seconds since the epoch, for HTTP-dates. */
std::int64_t wall_clock_unix_s ();

}  // namespace resilient::gst
