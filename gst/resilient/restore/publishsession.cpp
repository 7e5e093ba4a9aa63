/* gst-resilient: one publish session of autorestoresink (publishsession.h).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "restore/publishsession.h"

#include <gst/app/app.h>

#include <utility>

GST_DEBUG_CATEGORY_EXTERN (gst_auto_restore_sink_debug);
#define GST_CAT_DEFAULT gst_auto_restore_sink_debug

namespace resilient::gst {

struct PublishSession::BusCtx
{
  GstElement *owner; /* for the log; outlives the session */
  std::uint64_t id;
  EndFn on_end;
};

namespace {

GstElement *
make_appsrc (GstCaps *caps)
{
  GstElement *src = gst_element_factory_make ("appsrc", nullptr);
  /* Not live: the muxer runs on data, not on a clock of the session's
   * own. Bounded and leaky so a stuck connection cannot grow memory; the
   * bitrate watch notices it. */
  g_object_set (src, "format", GST_FORMAT_TIME, "is-live", FALSE, "block",
                FALSE, "emit-signals", FALSE, "caps", caps, "max-bytes",
                (guint64)0, "max-buffers", (guint64)0, "max-time",
                (guint64)4 * GST_SECOND, nullptr);
  gst_util_set_object_arg (G_OBJECT (src), "leaky-type", "downstream");
  return src;
}

} // namespace

PublishSession::PublishSession (std::uint64_t id_, std::size_t slot_,
                                bool failback_, TimePoint started_)
    : id (id_), slot (slot_), started (started_), failback (failback_),
      last_bitrate_sample (started_)
{
}

PublishSession::~PublishSession () { teardown (false); }

GstBusSyncReply
PublishSession::on_bus (GstBus *, GstMessage *msg, gpointer data)
{
  auto *ctx = static_cast<BusCtx *> (data);
  switch (GST_MESSAGE_TYPE (msg)) {
  case GST_MESSAGE_ERROR:
  case GST_MESSAGE_EOS:
    ctx->on_end (ctx->id, msg);
    break;
  case GST_MESSAGE_WARNING: {
    GError *err = nullptr;
    gst_message_parse_warning (msg, &err, nullptr);
    GST_WARNING_OBJECT (ctx->owner, "session %" G_GUINT64_FORMAT ": %s",
                        ctx->id, err ? err->message : "");
    g_clear_error (&err);
    break;
  }
  default:
    break;
  }
  /* A sync handler that drops a message owns it: without this unref every
   * message of the session (state changes, stream-start, ... with their
   * source) stays alive, and with them the whole session pipeline. */
  gst_message_unref (msg);
  return GST_BUS_DROP;
}

/* A session pipeline torn down off the loop: nothing is handled any more,
 * but its messages still must not pile up on its bus. */
GstBusSyncReply
PublishSession::drop_all (GstBus *, GstMessage *msg, gpointer)
{
  gst_message_unref (msg);
  return GST_BUS_DROP;
}

bool
PublishSession::build (GstElement *owner, const std::string &name,
                       std::unique_ptr<PublishTransport> transport,
                       GstCaps *vcaps, GstCaps *acaps, EndFn on_end,
                       std::string &error)
{
  pipeline_ = gst_pipeline_new (name.c_str ());
  /* The session runs on the owner's clock and base time: the buffers
   * carry the upstream running time, which is then the session's running
   * time too. The held group (older than "now") goes out at once and live
   * media on time, with the same time base for audio and video, as with
   * the RTMP/SRT sinks (sync=false). A session with a running time of its
   * own would send the live edge late by the held group's age, forever
   * (WHIP syncs on the clock). */
  if (GstClock *clock = gst_element_get_clock (owner)) {
    gst_pipeline_use_clock (GST_PIPELINE (pipeline_), clock);
    gst_element_set_start_time (pipeline_, GST_CLOCK_TIME_NONE);
    gst_element_set_base_time (pipeline_, gst_element_get_base_time (owner));
    gst_object_unref (clock);
  }
  if (vcaps) {
    vsrc_ = make_appsrc (vcaps);
    gst_bin_add (GST_BIN (pipeline_), vsrc_);
  }
  if (acaps) {
    asrc_ = make_appsrc (acaps);
    gst_bin_add (GST_BIN (pipeline_), asrc_);
  }
  if (!transport->build (GST_BIN (pipeline_), vsrc_, asrc_, error)) {
    gst_object_unref (std::exchange (pipeline_, nullptr));
    vsrc_ = asrc_ = nullptr;
    return false;
  }
  transport_ = std::move (transport);
  GstBus *bus = gst_element_get_bus (pipeline_);
  gst_bus_set_sync_handler (
      bus, on_bus, new BusCtx{ owner, id, std::move (on_end) },
      [] (gpointer p) { delete static_cast<BusCtx *> (p); });
  gst_object_unref (bus);
  return true;
}

bool
PublishSession::play ()
{
  return pipeline_
         && gst_element_set_state (pipeline_, GST_STATE_PLAYING)
                != GST_STATE_CHANGE_FAILURE;
}

bool
PublishSession::replay (const restore::HoldQueue<GstBuffer *> &hold)
{
  bool had_key = false;
  hold.for_each ([&] (const restore::HoldQueue<GstBuffer *>::Item &it) {
    had_key = had_key || (it.video && it.key);
    push (it.video, it.value);
  });
  return had_key;
}

void
PublishSession::push (bool video, GstBuffer *buf)
{
  if (GstElement *src = video ? vsrc_ : asrc_)
    gst_app_src_push_buffer (GST_APP_SRC (src), gst_buffer_ref (buf));
}

void
PublishSession::set_caps (bool video, GstCaps *caps)
{
  if (GstElement *src = video ? vsrc_ : asrc_)
    gst_app_src_set_caps (GST_APP_SRC (src), caps);
}

void
PublishSession::end_of_stream ()
{
  for (GstElement *src : { vsrc_, asrc_ })
    if (src)
      gst_app_src_end_of_stream (GST_APP_SRC (src));
}

void
PublishSession::teardown (bool detach)
{
  /* A session that failed, or never published, has nothing to finish on
   * its connection: end it first, so that a network sink stuck on it (a
   * server sending garbage) cannot hold the teardown. A publishing
   * session stopped on purpose keeps it for its stop commands. */
  if (transport_ && (failed || !up))
    transport_->abort_connection ();
  if (pipeline_ && transport_ && transport_->slow_teardown () && detach) {
    /* WHIP's DELETE must not hold the loop: the next session starts now. */
    GstBus *bus = gst_element_get_bus (pipeline_);
    gst_bus_set_sync_handler (bus, drop_all, nullptr, nullptr);
    gst_object_unref (bus);
    teardown_detached (std::exchange (pipeline_, nullptr),
                       std::move (transport_));
  }
  if (pipeline_) {
    gst_element_set_state (pipeline_, GST_STATE_NULL);
    GstBus *bus = gst_element_get_bus (pipeline_);
    gst_bus_set_sync_handler (bus, nullptr, nullptr, nullptr);
    gst_object_unref (bus);
    gst_object_unref (std::exchange (pipeline_, nullptr));
  }
  vsrc_ = asrc_ = nullptr;
  transport_.reset ();
}

} // namespace resilient::gst
