#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "common/whiphttp.h"

#include "common/messages.h"

#include <libsoup/soup.h>

#include <chrono>
#include <map>
#include <thread>

GST_DEBUG_CATEGORY_STATIC (whiphttp_debug);
#define GST_CAT_DEFAULT whiphttp_debug

namespace resilient::gst {

std::int64_t
wall_clock_unix_s ()
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

struct Pending
{
  std::weak_ptr<HttpClient::Impl> owner;
  std::uint64_t id = 0;
  SoupMessage *msg = nullptr;
  GCancellable *cancellable = nullptr;
  GSource *timer = nullptr;
  HttpClient::Callback cb;
  bool timed_out = false;
  bool dropped = false;        /* shutdown: never call back */
  gint64 started_us = 0;
  std::string method;
  std::string url_for_log;
};

struct HttpClient::Impl
{
  ControlLoop &loop;
  GstObject *log_object = nullptr;
  SoupSession *session = nullptr;
  std::string token;
  std::uint64_t next_id = 1;
  std::map<std::uint64_t, Pending *> pending;

  Impl (ControlLoop &l, GstObject *o) : loop (l), log_object (o) {}
};

static void
ensure_category ()
{
  static gsize once = 0;
  if (g_once_init_enter (&once)) {
    GST_DEBUG_CATEGORY_INIT (whiphttp_debug, "reswhiphttp", 0,
        "gst-resilient WHIP/WHEP HTTP client");
    g_once_init_leave (&once, 1);
  }
}

HttpClient::HttpClient (ControlLoop &loop, GstObject *log_object)
  : impl_ (std::make_shared<Impl> (loop, log_object))
{
  ensure_category ();
}

HttpClient::~HttpClient ()
{
  shutdown ();
}

void
HttpClient::set_token (std::string token)
{
  impl_->token = std::move (token);
}

unsigned
HttpClient::in_flight () const
{
  return (unsigned) impl_->pending.size ();
}

static void
finish (Pending *p, HttpResult res)
{
  if (p->timer) {
    g_source_destroy (p->timer);
    g_source_unref (p->timer);
    p->timer = nullptr;
  }
  auto owner = p->owner.lock ();
  if (owner)
    owner->pending.erase (p->id);
  HttpClient::Callback cb = std::move (p->cb);
  bool dropped = p->dropped;
  g_clear_object (&p->msg);
  g_clear_object (&p->cancellable);
  delete p;
  if (cb && !dropped && owner) {
    try {
      cb (std::move (res));
    } catch (...) {
      /* exceptions never cross the GLib frame */
    }
  }
}

static void
on_sent (GObject * source, GAsyncResult * result, gpointer user_data)
{
  auto *p = static_cast<Pending *> (user_data);
  GError *err = nullptr;
  GBytes *bytes = soup_session_send_and_read_finish (SOUP_SESSION (source),
      result, &err);
  HttpResult res;
  res.elapsed_ms = (g_get_monotonic_time () - p->started_us) / 1000;
  auto owner = p->owner.lock ();
  GstObject *obj = owner ? owner->log_object : nullptr;
  if (!bytes) {
    res.timed_out = p->timed_out;
    res.cancelled = !p->timed_out
        && g_error_matches (err, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    res.error = p->timed_out ? "no answer within the request timeout" :
        (err ? err->message : "unknown error");
    GST_INFO_OBJECT (obj, "%s %s failed after %" G_GINT64_FORMAT " ms: %s",
        p->method.c_str (), p->url_for_log.c_str (), res.elapsed_ms,
        res.error.c_str ());
    g_clear_error (&err);
    finish (p, std::move (res));
    return;
  }
  res.completed = true;
  auto &r = res.response;
  r.status = (int) soup_message_get_status (p->msg);
  SoupMessageHeaders *h = soup_message_get_response_headers (p->msg);
  auto get = [h] (const char *name) {
    const char *v = soup_message_headers_get_one (h, name);
    return std::string (v ? v : "");
  };
  r.content_type = get ("Content-Type");
  r.location = get ("Location");
  r.etag = get ("ETag");
  r.retry_after = get ("Retry-After");
  r.valid_until = get ("Valid-Until");
  r.expires = get ("Expires");
  if (const char *links = soup_message_headers_get_list (h, "Link"))
    r.links.emplace_back (links);
  gsize size = 0;
  const char *data = (const char *) g_bytes_get_data (bytes, &size);
  if (data && size)
    r.body.assign (data, size);
  g_bytes_unref (bytes);
  GST_DEBUG_OBJECT (obj, "%s %s -> %d in %" G_GINT64_FORMAT " ms",
      p->method.c_str (), p->url_for_log.c_str (), r.status, res.elapsed_ms);
  finish (p, std::move (res));
}

static gboolean
on_timeout (gpointer user_data)
{
  auto *p = static_cast<Pending *> (user_data);
  p->timed_out = true;
  g_cancellable_cancel (p->cancellable);
  return G_SOURCE_REMOVE;
}

void
HttpClient::send (HttpRequest req, Callback cb)
{
  auto &im = *impl_;
  g_return_if_fail (im.loop.on_loop_thread ());
  if (!im.session) {
    /* created on the loop thread: its context is the thread default */
    im.session = soup_session_new_with_options ("user-agent",
        "gst-resilient/" VERSION " (GStreamer WHIP/WHEP)",
        "max-conns-per-host", 4, NULL);
  }
  std::string log_url = redact_uri (req.url);
  SoupMessage *msg = soup_message_new (req.method.c_str (), req.url.c_str ());
  if (!msg) {
    HttpResult res;
    res.error = "invalid URL " + log_url;
    try {
      cb (std::move (res));
    } catch (...) {
    }
    return;
  }
  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  SoupMessageHeaders *h = soup_message_get_request_headers (msg);
  if (!im.token.empty ()) {
    std::string auth = "Bearer " + im.token;
    soup_message_headers_replace (h, "Authorization", auth.c_str ());
  }
  if (!req.if_match.empty ())
    soup_message_headers_replace (h, "If-Match", req.if_match.c_str ());
  if (!req.accept.empty ())
    soup_message_headers_replace (h, "Accept", req.accept.c_str ());
  if (!req.content_type.empty () || !req.body.empty ()) {
    GBytes *b = g_bytes_new (req.body.data (), req.body.size ());
    soup_message_set_request_body_from_bytes (msg,
        req.content_type.empty () ? nullptr : req.content_type.c_str (), b);
    g_bytes_unref (b);
  }

  auto *p = new Pending;
  p->owner = impl_;
  p->id = im.next_id++;
  p->msg = msg;
  p->cancellable = g_cancellable_new ();
  p->cb = std::move (cb);
  p->started_us = g_get_monotonic_time ();
  p->method = req.method;
  p->url_for_log = log_url;
  if (req.timeout_ms > 0) {
    p->timer = g_timeout_source_new (req.timeout_ms);
    g_source_set_callback (p->timer, on_timeout, p, nullptr);
    g_source_attach (p->timer, im.loop.context ());
  }
  im.pending[p->id] = p;
  GST_DEBUG_OBJECT (im.log_object, "%s %s (%zu bytes%s)", req.method.c_str (),
      log_url.c_str (), req.body.size (),
      im.token.empty () ? "" : ", with bearer token");
  soup_session_send_and_read_async (im.session, msg, G_PRIORITY_DEFAULT,
      p->cancellable, on_sent, p);
}

void
HttpClient::cancel_all ()
{
  for (auto &[id, p] : impl_->pending)
    g_cancellable_cancel (p->cancellable);
}

void
HttpClient::shutdown ()
{
  auto im = impl_;
  if (!im->loop.running ()) {
    /* the loop is gone; nothing can complete any more */
    for (auto &[id, p] : im->pending)
      p->dropped = true;
    g_clear_object (&im->session);
    return;
  }
  im->loop.post_and_wait ([im] {
    for (auto &[id, p] : im->pending) {
      p->dropped = true;
      g_cancellable_cancel (p->cancellable);
    }
    /* cancelled operations complete on the next iterations */
    gint64 deadline = g_get_monotonic_time () + G_USEC_PER_SEC;
    GMainContext *ctx = im->loop.context ();
    while (!im->pending.empty () && g_get_monotonic_time () < deadline) {
      if (!g_main_context_iteration (ctx, FALSE))
        g_usleep (1000);
    }
    if (im->session) {
      soup_session_abort (im->session);
      g_clear_object (&im->session);
    }
  });
}

/* ---- WhipSignalling ---- */

WhipSignalling::WhipSignalling (HttpClient &http, SignallingConfig config)
  : http_ (http), config_ (std::move (config))
{
}

void
WhipSignalling::discover_ice_servers (
    std::function<void (std::vector<whip::IceServer>, whip::Verdict)> cb)
{
  HttpRequest req;
  req.method = "OPTIONS";
  req.url = config_.endpoint;
  req.timeout_ms = config_.request_timeout_ms;
  const auto protocol = config_.protocol;
  http_.send (std::move (req), [cb, protocol] (HttpResult r) {
    if (!r.completed) {
      cb ({}, whip::network_failure (whip::Request::Options, r.error));
      return;
    }
    auto v = whip::classify (protocol, whip::Request::Options, r.response,
        wall_clock_unix_s ());
    if (v.outcome != whip::Outcome::Ok) {
      cb ({}, v);
      return;
    }
    cb (whip::ice_servers_from_links (r.response.links), v);
  });
}

void
WhipSignalling::post_offer (std::string sdp,
    std::function<void (PostResult)> cb)
{
  auto x = std::make_shared<whip::PostExchange> (config_.protocol,
      config_.endpoint, config_.max_redirects);
  post_once (x, std::move (sdp), g_get_monotonic_time (), std::move (cb));
}

void
WhipSignalling::post_once (std::shared_ptr<whip::PostExchange> x,
    std::string sdp, std::int64_t started, std::function<void (PostResult)> cb)
{
  HttpRequest req;
  req.method = "POST";
  req.url = x->url ();
  req.content_type = "application/sdp";
  req.accept = "application/sdp";
  req.body = sdp;
  req.timeout_ms = config_.request_timeout_ms;
  http_.send (std::move (req), [this, x, sdp, started, cb] (HttpResult r) {
    PostResult out;
    out.answered_url = x->url ();
    out.elapsed_ms = (g_get_monotonic_time () - started) / 1000;
    if (r.cancelled)
      return;
    if (!r.completed) {
      out.verdict = whip::network_failure (whip::Request::Post, r.error);
      out.redirects = x->hops ();
      cb (std::move (out));
      return;
    }
    auto res = x->on_response (r.response, wall_clock_unix_s ());
    if (res.verdict.outcome == whip::Outcome::Redirect) {
      /* same body, same token, new URL */
      post_once (x, sdp, started, cb);
      return;
    }
    out.verdict = res.verdict;
    out.session_url = res.session_url;
    out.etag = res.etag;
    out.sdp = res.sdp;
    out.ice_servers = res.ice_servers;
    out.redirects = x->hops ();
    if (!res.session_url.empty ()) {
      session_url_ = res.session_url;
      etag_ = res.etag;
    }
    cb (std::move (out));
  });
}

void
WhipSignalling::patch (whip::Request kind, std::string content_type,
    std::string body, std::function<void (SimpleResult)> cb)
{
  if (session_url_.empty ()) {
    SimpleResult out;
    out.verdict.outcome = whip::Outcome::SessionGone;
    out.verdict.severity = whip::Severity::None;
    out.verdict.message = std::string (whip::request_name (kind))
        + " without a session";
    cb (std::move (out));
    return;
  }
  HttpRequest req;
  req.method = "PATCH";
  req.url = session_url_;
  req.content_type = std::move (content_type);
  req.body = std::move (body);
  if (kind == whip::Request::TricklePatch && !etag_.empty ())
    req.if_match = etag_;
  req.timeout_ms = config_.request_timeout_ms;
  const auto protocol = config_.protocol;
  http_.send (std::move (req), [this, kind, protocol, cb] (HttpResult r) {
    if (r.cancelled)
      return;
    SimpleResult out;
    if (!r.completed) {
      out.verdict = whip::network_failure (kind, r.error);
    } else {
      out.verdict = whip::classify (protocol, kind, r.response,
          wall_clock_unix_s ());
      out.body = r.response.body;
      out.etag = r.response.etag;
      if (!r.response.etag.empty ())
        etag_ = r.response.etag;
    }
    cb (std::move (out));
  });
}

void
WhipSignalling::patch_trickle (std::string fragment,
    std::function<void (SimpleResult)> cb)
{
  patch (whip::Request::TricklePatch, "application/trickle-ice-sdpfrag",
      std::move (fragment), std::move (cb));
}

void
WhipSignalling::patch_answer (std::string sdp,
    std::function<void (SimpleResult)> cb)
{
  patch (whip::Request::AnswerPatch, "application/sdp", std::move (sdp),
      std::move (cb));
}

void
WhipSignalling::teardown (unsigned timeout_ms,
    std::function<void (SimpleResult)> cb)
{
  std::string url = std::exchange (session_url_, std::string ());
  etag_.clear ();
  if (url.empty ()) {
    SimpleResult out;
    out.verdict.outcome = whip::Outcome::Ok;
    out.verdict.message = "no session to delete";
    cb (std::move (out));
    return;
  }
  HttpRequest req;
  req.method = "DELETE";
  req.url = url;
  req.timeout_ms = timeout_ms;
  const auto protocol = config_.protocol;
  http_.send (std::move (req), [protocol, cb] (HttpResult r) {
    SimpleResult out;
    if (!r.completed)
      out.verdict = whip::network_failure (whip::Request::Delete, r.error);
    else
      out.verdict = whip::classify (protocol, whip::Request::Delete,
          r.response, wall_clock_unix_s ());
    cb (std::move (out));
  });
}

}  // namespace resilient::gst
