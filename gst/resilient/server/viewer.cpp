/* gst-resilient server side: one WHEP viewer of reswhepserversink. */
#include "server/viewer.h"

#include "server/endpoint.h"
#include "server/util.h"

#include "common/iceagent.h"
#include "common/rtcpcount.h"

#include <gst/app/app.h>
#include <gst/video/video.h>
#include <gst/webrtc/webrtc.h>

GST_DEBUG_CATEGORY_EXTERN (res_whep_server_sink_debug);
#define GST_CAT_DEFAULT res_whep_server_sink_debug

namespace resilient::gst::server {

namespace srv = resilient::server;
using resilient::TimePoint;

/* What a callback of the viewer's webrtcbin, bus or appsrc holds. */
struct Viewer::Ctx
{
  std::shared_ptr<const Hooks> hooks;
  std::string id;
};

/* Packets a viewer's appsrc holds (its oldest dropped beyond): ~2.4 s of
 * video at the default 2000 kbit/s in 1200-byte packets, 2.5 s of Opus;
 * they also hold the joining keyframe until the viewer's DTLS is up. */
constexpr guint VIDEO_QUEUE = 512;
constexpr guint AUDIO_QUEUE = 128;

static const GDestroyNotify free_ctx = delete_data<Viewer::Ctx>;
static const GClosureNotify free_ctx_closure = delete_closure_data<Viewer::Ctx>;

Viewer::Viewer (std::string id, std::string remote, const srv::Formats &f,
                TimePoint now, Limits limits,
                std::shared_ptr<const Hooks> hooks)
    : id_ (std::move (id)), remote_ (std::move (remote)),
      etag_ ("\"" + id_.substr (0, 8) + "-1\""), hooks_ (std::move (hooks)),
      video_pt_ (f.video_pt), audio_pt_ (f.audio_pt),
      video_plid_ (f.video_profile_level_id),
      watch_ (now, limits.connect, limits.rtcp), created_ (now)
{
}

Viewer::~Viewer ()
{
  if (pending_) {
    send_problem (pending_, 500, "Internal Server Error",
                  "the session ended before its answer was ready");
    soup_server_message_unpause (pending_);
    g_clear_object (&pending_);
  }
  if (session_) {
    if (rtcp_handler_)
      g_signal_handler_disconnect (session_, rtcp_handler_);
    g_object_unref (session_);
  }
  if (pipeline_) {
    gst_element_set_state (pipeline_, GST_STATE_NULL);
    GST_DEBUG_OBJECT (hooks_->owner, "viewer %s: pipeline down, %d references",
                      id_.c_str (), GST_OBJECT_REFCOUNT_VALUE (pipeline_));
    gst_object_unref (pipeline_);
  }
}

/* the sources and their transceivers come once the offer is applied
 * (attach_sources): a transceiver made before could stay unmatched to the
 * offer's m-lines, and webrtcbin 1.22 aborts on a pad whose transceiver
 * has no stream */
bool
Viewer::find_mlines (GstSDPMessage *offer, const srv::Formats &f)
{
  for (guint i = 0; i < gst_sdp_message_medias_len (offer); i++) {
    const char *mid = gst_sdp_media_get_attribute_val (
        gst_sdp_message_get_media (offer, i), "mid");
    if (mid && video_pt_ >= 0 && f.video_mid == mid)
      video_mline_ = (int)i;
    if (mid && audio_pt_ >= 0 && f.audio_mid == mid)
      audio_mline_ = (int)i;
  }
  return !((video_pt_ >= 0 && video_mline_ < 0)
           || (audio_pt_ >= 0 && audio_mline_ < 0));
}

/* Any thread: webrtcbin's connection or ICE state changed. */
void
Viewer::on_state_notify (GObject *webrtc, GParamSpec *, gpointer data)
{
  auto *ctx = static_cast<Ctx *> (data);
  GstWebRTCPeerConnectionState pc;
  GstWebRTCICEConnectionState ice;
  g_object_get (webrtc, "connection-state", &pc, "ice-connection-state", &ice,
                NULL);
  std::shared_ptr<const Hooks> h = ctx->hooks;
  std::string id = ctx->id;
  h->post ([h, id, pc, ice] {
    Viewer *v = h->find (id);
    if (v && v->on_state (pc, ice, system_now ()))
      h->keyframe ();
  });
}

bool
Viewer::on_state (GstWebRTCPeerConnectionState pc,
                  GstWebRTCICEConnectionState ice, TimePoint now)
{
  if (pc == GST_WEBRTC_PEER_CONNECTION_STATE_FAILED
      || ice == GST_WEBRTC_ICE_CONNECTION_STATE_FAILED)
    watch_.on_failed ("ICE or DTLS failed");
  else if (pc == GST_WEBRTC_PEER_CONNECTION_STATE_CLOSED
           || ice == GST_WEBRTC_ICE_CONNECTION_STATE_CLOSED)
    watch_.on_failed ("connection closed");
  else if (pc == GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED) {
    if (!watch_.connected ())
      state_ = "connected";
    watch_.on_connected (now);
    prepare_direct ();
    /* the keyframe asked for when it joined waits in its queue, unless
     * the queue overflowed before the connection: ask again then */
    if (join_queue_->exchange (FanOut::JOIN_DONE) == FanOut::JOIN_OVERFLOWED)
      return true;
  } else if (ice == GST_WEBRTC_ICE_CONNECTION_STATE_DISCONNECTED) {
    state_ = "disconnected";
  }
  return false;
}

/* A viewer's PLI / FIR reaches its appsrc as an upstream force-key-unit:
 * forward it (rate-limited by the element) to the one encoder. */
GstPadProbeReturn
Viewer::on_upstream_event (GstPad *, GstPadProbeInfo *info, gpointer data)
{
  GstEvent *ev = GST_PAD_PROBE_INFO_EVENT (info);
  if (ev && gst_video_event_is_force_key_unit (ev)) {
    std::shared_ptr<const Hooks> h = static_cast<Ctx *> (data)->hooks;
    h->post ([h] { h->keyframe (); });
  }
  return GST_PAD_PROBE_OK;
}

/* The viewer's pipeline reports an error: that viewer goes, nobody else
 * notices. Any thread; the removal runs on the loop. */
GstBusSyncReply
Viewer::on_bus (GstBus *, GstMessage *m, gpointer data)
{
  if (GST_MESSAGE_TYPE (m) == GST_MESSAGE_ERROR) {
    auto *ctx = static_cast<Ctx *> (data);
    GError *err = nullptr;
    gst_message_parse_error (m, &err, nullptr);
    std::string why = std::string ("error: ") + (err ? err->message : "?");
    g_clear_error (&err);
    std::shared_ptr<const Hooks> h = ctx->hooks;
    std::string id = ctx->id;
    GST_WARNING_OBJECT (h->owner, "viewer %s: %s", id.c_str (), why.c_str ());
    h->post ([h, id, why] { h->failed (id, why); });
  }
  /* nobody pops this bus: a dropped message is ours to release (it holds
   * its source, so keeping it would keep the whole viewer pipeline) */
  gst_message_unref (m);
  return GST_BUS_DROP;
}

bool
Viewer::start (GstClock *clock, GstClockTime base_time, bool loopback)
{
  pipeline_ = gst_pipeline_new (("viewer-" + id_.substr (0, 8)).c_str ());
  gst_object_ref_sink (pipeline_);
  webrtc_ = gst_element_factory_make ("webrtcbin", "webrtc");
  g_object_set (webrtc_, "bundle-policy", GST_WEBRTC_BUNDLE_POLICY_MAX_BUNDLE,
                NULL);
  resilient::gst::configure_ice_agent (webrtc_, loopback);
  gst_bin_add (GST_BIN (pipeline_), webrtc_);
  for (const char *sig :
       { "notify::connection-state", "notify::ice-connection-state" })
    g_signal_connect_data (webrtc_, sig, G_CALLBACK (on_state_notify),
                           new Ctx{ hooks_, id_ }, free_ctx_closure,
                           (GConnectFlags)0);
  GstBus *bus = gst_pipeline_get_bus (GST_PIPELINE (pipeline_));
  gst_bus_set_sync_handler (bus, on_bus, new Ctx{ hooks_, id_ }, free_ctx);
  gst_object_unref (bus);
  if (clock) {
    gst_pipeline_use_clock (GST_PIPELINE (pipeline_), clock);
    gst_element_set_base_time (pipeline_, base_time);
    gst_element_set_start_time (pipeline_, GST_CLOCK_TIME_NONE);
  }
  return gst_element_set_state (pipeline_, GST_STATE_PLAYING)
         != GST_STATE_CHANGE_FAILURE;
}

void
Viewer::hold (SoupServerMessage *msg)
{
  pending_ = SOUP_SERVER_MESSAGE (g_object_ref (msg));
  soup_server_message_pause (msg);
}

GstElement *
Viewer::make_appsrc (FanOut &fanout, bool video)
{
  GstElement *src
      = gst_element_factory_make ("appsrc", video ? "video" : "audio");
  g_object_set (src, "is-live", TRUE, "format", GST_FORMAT_TIME, "do-timestamp",
                FALSE, "block", FALSE, "max-bytes", (guint64)0, "max-buffers",
                (guint64)(video ? VIDEO_QUEUE : AUDIO_QUEUE), NULL);
  gst_app_src_set_leaky_type (GST_APP_SRC (src), GST_APP_LEAKY_TYPE_DOWNSTREAM);
  GstCaps *caps = fanout.caps_for (video, video ? video_pt_ : audio_pt_,
                                   video ? video_plid_ : std::string ());
  if (caps) {
    gst_app_src_set_caps (GST_APP_SRC (src), caps);
    gst_caps_unref (caps);
  }
  if (video) {
    GstPad *pad = gst_element_get_static_pad (src, "src");
    gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_EVENT_UPSTREAM,
                       on_upstream_event, new Ctx{ hooks_, id_ }, free_ctx);
    gst_object_unref (pad);
  }
  return src;
}

bool
Viewer::link_to_webrtc (GstElement *src, int mline, const std::string &kind,
                        const char *encoding, int clock_rate, int pt,
                        guint ssrc)
{
  /* sink_<mline>: the transceiver webrtcbin made for that m-line */
  std::string name = "sink_" + std::to_string (mline);
  GstPad *sink = gst_element_request_pad_simple (webrtc_, name.c_str ());
  if (!sink)
    return false;
  GstPad *srcpad = gst_element_get_static_pad (src, "src");
  gst_pad_link (srcpad, sink);
  gst_object_unref (srcpad);
  GstWebRTCRTPTransceiver *trans = nullptr;
  g_object_get (sink, "transceiver", &trans, NULL);
  if (trans) {
    GstCaps *caps = gst_caps_new_simple (
        "application/x-rtp", "media", G_TYPE_STRING, kind.c_str (),
        "encoding-name", G_TYPE_STRING, encoding, "clock-rate", G_TYPE_INT,
        clock_rate, "payload", G_TYPE_INT, pt, "ssrc", G_TYPE_UINT, ssrc, NULL);
    g_object_set (trans, "direction",
                  GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDONLY,
                  "codec-preferences", caps, NULL);
    gst_caps_unref (caps);
    gst_object_unref (trans);
  }
  gst_object_unref (sink);
  return trans != nullptr;
}

/* Loop thread, once the offer is applied: one appsrc per kind the viewer
 * takes, linked to the transceiver of its m-line (sendonly, our codec). */
bool
Viewer::attach_sources (FanOut &fanout, bool vp8, bool direct)
{
  if (direct) {
    direct_ = DirectSend::attach (webrtc_);
    if (!direct_->usable ()) {
      GST_INFO_OBJECT (hooks_->owner, "viewer %s: no direct send: %s",
                       id_.c_str (), direct_->why ().c_str ());
      direct_.reset ();
    }
  }
  guint vssrc = fanout.ssrc (true);
  guint assrc = fanout.ssrc (false);
  bool ok = true;
  if (video_pt_ >= 0) {
    vsrc_ = make_appsrc (fanout, true);
    gst_bin_add (GST_BIN (pipeline_), vsrc_);
    ok &= link_to_webrtc (vsrc_, video_mline_, "video", vp8 ? "VP8" : "H264",
                          90000, video_pt_, vssrc);
    gst_element_sync_state_with_parent (vsrc_);
  }
  if (audio_pt_ >= 0) {
    asrc_ = make_appsrc (fanout, false);
    gst_bin_add (GST_BIN (pipeline_), asrc_);
    ok &= link_to_webrtc (asrc_, audio_mline_, "audio", "OPUS", 48000,
                          audio_pt_, assrc);
    gst_element_sync_state_with_parent (asrc_);
  }
  return ok;
}

void
Viewer::add_outs (std::vector<FanOut::Out> &video,
                  std::vector<FanOut::Out> &audio) const
{
  if (vsrc_)
    video.emplace_back (vsrc_, video_pt_, video_plid_, join_queue_,
                        VIDEO_QUEUE, direct_);
  if (asrc_)
    audio.emplace_back (asrc_, audio_pt_, std::string (), nullptr, 0u,
                        direct_);
}

/* Loop thread: count the RTCP the viewer sends, once webrtcbin's RTP
 * session exists (it is made when the description is applied). */
void
Viewer::watch_rtcp ()
{
  if (session_)
    return;
  GObject *session = rtp_session_of (webrtc_);
  if (!session)
    return;
  session_ = session;
  rtcp_handler_ = resilient::gst::count_received_rtcp (session, rtcp_);
}

/* Loop thread, connected: the direct path takes over once DTLS has given
 * webrtcbin its keys (the reaper tries again until then). A path that
 * cannot be taken leaves the viewer on webrtcbin's. */
void
Viewer::prepare_direct ()
{
  if (!direct_ || !watch_.connected ()
      || direct_->phase (true) != DirectSend::WAITING)
    return;
  if (direct_->prepare ()) {
    GST_INFO_OBJECT (hooks_->owner, "viewer %s: direct send ready",
                     id_.c_str ());
  } else if (!direct_->why ().empty ()) {
    GST_INFO_OBJECT (hooks_->owner, "viewer %s: no direct send: %s",
                     id_.c_str (), direct_->why ().c_str ());
    direct_.reset ();
    /* the fan-out still holds it (WAITING: unused) until the next list */
  }
}

std::optional<std::string>
Viewer::check (TimePoint now)
{
  watch_rtcp ();
  prepare_direct ();
  std::uint64_t n = rtcp_->load ();
  if (n != rtcp_seen_) {
    rtcp_seen_ = n;
    watch_.on_rtcp (now);
  }
  return watch_.dead (now);
}

const char *
Viewer::send_path () const
{
  if (direct_
      && (direct_->phase (true) == DirectSend::ACTIVE
          || direct_->phase (false) == DirectSend::ACTIVE))
    return "direct";
  return "webrtcbin";
}

GstStructure *
Viewer::describe (TimePoint now) const
{
  return gst_structure_new (
      "viewer", "viewer-id", G_TYPE_STRING, id_.c_str (), "remote-address",
      G_TYPE_STRING, remote_.c_str (), "state", G_TYPE_STRING, state_.c_str (),
      "age-ms", G_TYPE_UINT64,
      (guint64)std::max<gint64> (0, resilient::to_ms (now - created_)),
      "silence-ms", G_TYPE_UINT64,
      (guint64)std::max<gint64> (0, resilient::to_ms (watch_.silence (now))),
      "rtcp-packets", G_TYPE_UINT64, (guint64)rtcp_->load (), "video-payload",
      G_TYPE_INT, video_pt_, "audio-payload", G_TYPE_INT, audio_pt_,
      "send-path", G_TYPE_STRING, send_path (), "direct-packets",
      G_TYPE_UINT64, (guint64)(direct_ ? direct_->sent () : 0),
      "direct-dropped", G_TYPE_UINT64,
      (guint64)(direct_ ? direct_->dropped () : 0), NULL);
}

} // namespace resilient::gst::server
