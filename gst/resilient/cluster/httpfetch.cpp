#include "cluster/httpfetch.h"

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>

namespace resilient::gst {

namespace {

struct FetchCtx
{
  SoupMessage *msg;
  GCancellable *cancel;
  GSource *timeout;
  bool timed_out = false;
  HttpFetcher::Done done;
};

void
on_fetch_done (GObject *source, GAsyncResult *res, gpointer data)
{
  auto *ctx = static_cast<FetchCtx *> (data);
  GError *err = nullptr;
  GBytes *bytes
      = soup_session_send_and_read_finish (SOUP_SESSION (source), res, &err);
  FetchResult r;
  if (bytes) {
    r.status = soup_message_get_status (ctx->msg);
    gsize len = 0;
    const char *d = static_cast<const char *> (g_bytes_get_data (bytes, &len));
    r.body.assign (d ? d : "", len);
    g_bytes_unref (bytes);
  } else {
    r.error = ctx->timed_out ? "timeout" : (err ? err->message : "failed");
    g_clear_error (&err);
  }
  if (ctx->timeout) {
    g_source_destroy (ctx->timeout);
    g_source_unref (ctx->timeout);
  }
  g_object_unref (ctx->cancel);
  g_object_unref (ctx->msg);
  auto done = std::move (ctx->done);
  delete ctx;
  done (std::move (r));
}

gboolean
on_fetch_timeout (gpointer data)
{
  auto *c = static_cast<FetchCtx *> (data);
  c->timed_out = true;
  g_cancellable_cancel (c->cancel);
  return G_SOURCE_REMOVE;
}

} // namespace

HttpFetcher::~HttpFetcher ()
{
  /* shutdown() ran on the loop; a session left means it did not */
  g_warn_if_fail (session_ == nullptr);
}

void
HttpFetcher::start (const std::string &url, const std::string &token,
                    guint timeout_ms, Done done)
{
  g_return_if_fail (loop_.on_loop_thread ());
  if (!session_)
    session_ = soup_session_new ();
  SoupMessage *msg = soup_message_new ("GET", url.c_str ());
  if (!msg) {
    done (FetchResult{ 0, {}, "invalid URL" });
    return;
  }
  SoupMessageHeaders *h = soup_message_get_request_headers (msg);
  soup_message_headers_replace (h, "Accept", "application/json");
  if (!token.empty ()) {
    std::string auth = "Bearer " + token;
    soup_message_headers_replace (h, "Authorization", auth.c_str ());
  }
  auto *ctx = new FetchCtx{ msg, g_cancellable_new (), nullptr, false,
                            std::move (done) };
  ctx->timeout = g_timeout_source_new (timeout_ms);
  g_source_set_callback (ctx->timeout, on_fetch_timeout, ctx, nullptr);
  g_source_attach (ctx->timeout, loop_.context ());
  soup_session_send_and_read_async (session_, msg, G_PRIORITY_DEFAULT,
                                    ctx->cancel, on_fetch_done, ctx);
}

FetchResult
HttpFetcher::fetch_and_wait (const std::string &url, const std::string &token,
                             guint timeout_ms)
{
  g_return_val_if_fail (!loop_.on_loop_thread (),
                        (FetchResult{ 0, {}, "called on the loop thread" }));
  struct Wait
  {
    std::mutex m;
    std::condition_variable cv;
    bool done = false;
    FetchResult result;
  };
  auto wait = std::make_shared<Wait> ();
  bool posted = loop_.post ([this, url, token, timeout_ms, wait] {
    start (url, token, timeout_ms, [wait] (FetchResult r) {
      std::lock_guard<std::mutex> g (wait->m);
      wait->result = std::move (r);
      wait->done = true;
      wait->cv.notify_all ();
    });
  });
  if (!posted)
    return FetchResult{ 0, {}, "not running" };
  std::unique_lock<std::mutex> g (wait->m);
  /* the loop's own timeout fires first; this is a safety net */
  if (!wait->cv.wait_for (g, std::chrono::milliseconds (timeout_ms + 2000),
                          [&] { return wait->done; }))
    return FetchResult{ 0, {}, "timeout" };
  return wait->result;
}

void
HttpFetcher::shutdown ()
{
  g_return_if_fail (loop_.on_loop_thread ());
  if (session_) {
    soup_session_abort (session_);
    g_clear_object (&session_);
  }
}

} // namespace resilient::gst
