#include "server/publisher.h"

#include "common/iceagent.h"
#include "common/jitterstart.h"
#include "server/util.h"

#include <gst/app/app.h>
#include <gst/webrtc/webrtc.h>

namespace resilient::gst::server {

using SharedPtr = std::shared_ptr<Publisher::Shared>;

static const GDestroyNotify free_shared = delete_data<SharedPtr>;
static const GClosureNotify free_shared_closure
    = delete_closure_data<SharedPtr>;

static SharedPtr &
shared_of (gpointer p)
{
  return *static_cast<SharedPtr *> (p);
}

static GstFlowReturn
on_sample (GstAppSink *sink, gpointer data, bool video)
{
  GstSample *s = gst_app_sink_pull_sample (sink);
  if (!s)
    return GST_FLOW_EOS;
  SharedPtr &sh = shared_of (data);
  if (sh->active) {
    GstBuffer *b = gst_buffer_ref (gst_sample_get_buffer (s));
    if (video) {
      sh->frames++;
      sh->out->push_video (b);
    } else {
      sh->out->push_audio (b);
    }
  }
  gst_sample_unref (s);
  return GST_FLOW_OK;
}

static GstFlowReturn
on_video_sample (GstAppSink *sink, gpointer data)
{
  return on_sample (sink, data, true);
}

static GstFlowReturn
on_audio_sample (GstAppSink *sink, gpointer data)
{
  return on_sample (sink, data, false);
}

/* decodebin's decoded pad -> the branch's converter (a link only). */
static void
on_decoded_pad (GstElement *, GstPad *pad, gpointer conv)
{
  GstPad *sink = gst_element_get_static_pad (GST_ELEMENT (conv), "sink");
  if (!gst_pad_is_linked (sink))
    gst_pad_link (pad, sink);
  gst_object_unref (sink);
}

/* decodebin ! convert ! scale/resample ! capsfilter ! appsink, PLAYING. */
static GstElement *
make_branch (GstElement *pipeline, const SharedPtr &sh, bool video)
{
  GstElement *dec = gst_element_factory_make ("decodebin", nullptr);
  GstElement *conv = gst_element_factory_make (
      video ? "videoconvert" : "audioconvert", nullptr);
  GstElement *scale = gst_element_factory_make (
      video ? "videoscale" : "audioresample", nullptr);
  GstElement *filter = gst_element_factory_make ("capsfilter", nullptr);
  GstElement *sink = gst_element_factory_make ("appsink", nullptr);
  if (!dec || !conv || !scale || !filter || !sink)
    return nullptr;
  if (video)
    g_object_set (scale, "add-borders", TRUE, NULL);
  GstCaps *caps = video ? sh->out->video_caps () : sh->out->audio_caps ();
  gst_structure_remove_field (gst_caps_get_structure (caps, 0), "framerate");
  g_object_set (filter, "caps", caps, NULL);
  gst_caps_unref (caps);
  g_object_set (sink, "sync", FALSE, "async", FALSE, "max-buffers", 4u, "drop",
                TRUE, NULL);
  GstAppSinkCallbacks cb = {};
  cb.new_sample = video ? on_video_sample : on_audio_sample;
  gst_app_sink_set_callbacks (GST_APP_SINK (sink), &cb, new SharedPtr (sh),
                              free_shared);
  gst_bin_add_many (GST_BIN (pipeline), dec, conv, scale, filter, sink,
                    nullptr);
  gst_element_link_many (conv, scale, filter, sink, nullptr);
  g_signal_connect_object (dec, "pad-added", G_CALLBACK (on_decoded_pad), conv,
                           (GConnectFlags)0);
  return dec;
}

static GstPadProbeReturn
count_rtp (GstPad *, GstPadProbeInfo *info, gpointer data)
{
  SharedPtr &sh = shared_of (data);
  if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST)
    sh->rtp += gst_buffer_list_length (GST_PAD_PROBE_INFO_BUFFER_LIST (info));
  else
    sh->rtp++;
  return GST_PAD_PROBE_OK;
}

/* webrtcbin's receiving pad (streaming thread): counted, and linked to the
 * branch of its kind. */
static void
on_webrtc_pad (GstElement *, GstPad *pad, gpointer data)
{
  if (GST_PAD_DIRECTION (pad) != GST_PAD_SRC)
    return;
  SharedPtr &sh = shared_of (data);
  GstCaps *caps = gst_pad_get_current_caps (pad);
  if (!caps)
    caps = gst_pad_query_caps (pad, nullptr);
  const char *media = caps ? gst_structure_get_string (
                          gst_caps_get_structure (caps, 0), "media")
                           : nullptr;
  bool video = media && g_str_equal (media, "video");
  if (caps)
    gst_caps_unref (caps);
  gst_pad_add_probe (pad,
                     (GstPadProbeType)(GST_PAD_PROBE_TYPE_BUFFER
                                       | GST_PAD_PROBE_TYPE_BUFFER_LIST),
                     count_rtp, new SharedPtr (sh), free_shared);
  GstElement *dec = video ? sh->video_in : sh->audio_in;
  GstPad *sink = gst_element_get_static_pad (dec, "sink");
  if (!gst_pad_is_linked (sink))
    gst_pad_link (pad, sink);
  gst_object_unref (sink);
}

static void
on_state (GObject *webrtc, GParamSpec *, gpointer data)
{
  GstWebRTCPeerConnectionState pc;
  GstWebRTCICEConnectionState ice;
  g_object_get (webrtc, "connection-state", &pc, "ice-connection-state", &ice,
                NULL);
  SharedPtr &sh = shared_of (data);
  if (pc == GST_WEBRTC_PEER_CONNECTION_STATE_FAILED
      || ice == GST_WEBRTC_ICE_CONNECTION_STATE_FAILED)
    sh->on_failed ("ICE or DTLS failed");
  else if (pc == GST_WEBRTC_PEER_CONNECTION_STATE_CLOSED)
    sh->on_failed ("connection closed");
}

static GstBusSyncReply
on_bus (GstBus *, GstMessage *m, gpointer data)
{
  if (GST_MESSAGE_TYPE (m) == GST_MESSAGE_ERROR) {
    GError *err = nullptr;
    gst_message_parse_error (m, &err, nullptr);
    shared_of (data)->on_failed (std::string ("error: ")
                                 + (err ? err->message : "?"));
    g_clear_error (&err);
  }
  /* nobody pops this bus: a dropped message is ours to release */
  gst_message_unref (m);
  return GST_BUS_DROP;
}

Publisher::Publisher (std::string id, std::string remote,
                      std::shared_ptr<IngestOutput> out, Failed on_failed)
    : id_ (std::move (id)), remote_ (std::move (remote)),
      shared_ (std::make_shared<Shared> ())
{
  shared_->out = std::move (out);
  shared_->on_failed = std::move (on_failed);
}

Publisher::~Publisher ()
{
  shared_->active = false;
  if (pipeline_) {
    gst_element_set_state (pipeline_, GST_STATE_NULL);
    gst_object_unref (pipeline_);
  }
}

bool
Publisher::start (GstClock *clock, bool loopback, std::string &error)
{
  pipeline_ = gst_pipeline_new (("publisher-" + id_.substr (0, 8)).c_str ());
  gst_object_ref_sink (pipeline_);
  webrtc_ = gst_element_factory_make ("webrtcbin", "webrtc");
  shared_->video_in = make_branch (pipeline_, shared_, true);
  shared_->audio_in = make_branch (pipeline_, shared_, false);
  if (!webrtc_ || !shared_->video_in || !shared_->audio_in) {
    error = "webrtcbin, decodebin or a converter is missing";
    return false;
  }
  g_object_set (webrtc_, "bundle-policy", GST_WEBRTC_BUNDLE_POLICY_MAX_BUNDLE,
                NULL);
  configure_ice_agent (webrtc_, loopback);
  /* a publisher's first frame (a takeover) does not wait `latency` */
  start_jitterbuffers_early (webrtc_);
  gst_bin_add (GST_BIN (pipeline_), webrtc_);
  g_signal_connect_data (webrtc_, "pad-added", G_CALLBACK (on_webrtc_pad),
                         new SharedPtr (shared_), free_shared_closure,
                         (GConnectFlags)0);
  for (const char *p :
       { "notify::connection-state", "notify::ice-connection-state" })
    g_signal_connect_data (webrtc_, p, G_CALLBACK (on_state),
                           new SharedPtr (shared_), free_shared_closure,
                           (GConnectFlags)0);
  GstBus *bus = gst_pipeline_get_bus (GST_PIPELINE (pipeline_));
  gst_bus_set_sync_handler (bus, on_bus, new SharedPtr (shared_), free_shared);
  gst_object_unref (bus);
  if (clock)
    gst_pipeline_use_clock (GST_PIPELINE (pipeline_), clock);
  if (gst_element_set_state (pipeline_, GST_STATE_PLAYING)
      == GST_STATE_CHANGE_FAILURE) {
    error = "the publisher's pipeline did not start";
    return false;
  }
  return true;
}

bool
Publisher::watch_session (unsigned rtcp_interval_ms)
{
  GObject *session = rtp_session_of (webrtc_);
  if (!session)
    return false;
  g_object_set (session, "rtcp-min-interval",
                (guint64)rtcp_interval_ms * GST_MSECOND, NULL);
  g_object_unref (session);
  return true;
}

} // namespace resilient::gst::server
