/* gst-resilient: reswhepserversink
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
/**
 * SECTION:element-reswhepserversink
 * @title: reswhepserversink
 *
 * A sink bin that serves WHEP (draft-ietf-wish-whep, RFC 9725 conventions)
 * to many viewers from one encode. Raw video and audio are encoded once
 * (H264 or VP8, Opus), payloaded once, and each RTP packet is handed to
 * every viewer's own webrtcbin (one small pipeline per viewer: appsrc ->
 * webrtcbin). A viewer costs no encoder; its payload type is rewritten to
 * the one its offer chose.
 *
 * The HTTP side is a SoupServer (libsoup 3) on the element's ControlLoop
 * thread: POST an offer to `path` -> 201 with the answer (candidates
 * included), Location and ETag; PATCH trickle candidates; DELETE; OPTIONS
 * with CORS for browsers; every refusal is application/problem+json. https
 * when certificate-file and key-file are set.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 videotestsrc is-live=true ! reswhepserversink name=s \
 *     port=8889 path=/whep  audiotestsrc is-live=true ! s.
 * ]|
 * Viewers POST their offer to http://HOST:8889/whep.
 *
 * Threads and locks: HTTP, webrtcbin signals that matter, viewer pipeline
 * state changes and timers all run on the element's ControlLoop. The
 * appsink streaming threads only read the fan-out lists (a shared_ptr
 * copied under priv->lock) and push into the viewers' appsrcs after
 * unlocking. Lock order: priv->lock, then the ControlLoop's own lock
 * (innermost). Nothing calls out while holding priv->lock.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "server/gstreswhepserversink.h"

#include "server/answerer.h"
#include "server/endpoint.h"
#include "server/util.h"

#include "common/controlloop.h"
#include "common/iceagent.h"
#include "common/messages.h"
#include "common/selfref.h"
#include "elements.h"
#include "resilient/server/whepserver.h"

#include <gst/app/app.h>
#include <gst/rtp/rtp.h>
#include <gst/sdp/sdp.h>
#include <gst/video/video.h>
#include <gst/webrtc/webrtc.h>
#include <libsoup/soup.h>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

GST_DEBUG_CATEGORY_STATIC (res_whep_server_sink_debug);
#define GST_CAT_DEFAULT res_whep_server_sink_debug

using resilient::TimePoint;
using resilient::gst::ControlLoop;
using resilient::gst::post_element_message;
using resilient::gst::register_enum_once;
using resilient::gst::SelfRef;
namespace srv = resilient::server;
using namespace resilient::gst::server;

/* Defaults, justified in docs/elements/reswhepserversink.md. */
#define DEFAULT_PORT 8889
#define DEFAULT_PATH "/whep"
#define DEFAULT_MAX_VIEWERS 0
#define DEFAULT_RETRY_AFTER_MS 5000
#define DEFAULT_VIDEO_BITRATE 2000
#define DEFAULT_KEYFRAME_MIN_INTERVAL_MS 500
#define DEFAULT_CONNECT_TIMEOUT_MS 10000
#define DEFAULT_RTCP_TIMEOUT_MS 3000
#define DEFAULT_MAX_BODY 65536
#define DEFAULT_VIDEO_CODEC GST_RES_WHEP_SERVER_VIDEO_CODEC_H264
/* Not properties: how often the reaper looks, and how long an answer may
 * wait for ICE gathering before it goes out with what it has. */
#define REAP_PERIOD_MS 250
#define GATHER_TIMEOUT_MS 2000
/* The keyframe period of the encoders (frames): viewers that join get one
 * at once through force-key-unit, so this only bounds recovery of viewers
 * whose PLI was lost. */
#define KEYFRAME_MAX_DIST 120
#define VIDEO_PT 96
#define AUDIO_PT 111

typedef enum {
  GST_RES_WHEP_SERVER_VIDEO_CODEC_H264,
  GST_RES_WHEP_SERVER_VIDEO_CODEC_VP8,
} GstResWhepServerVideoCodec;

static GType
gst_res_whep_server_video_codec_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    { GST_RES_WHEP_SERVER_VIDEO_CODEC_H264,
      "H264 Constrained Baseline (x264enc)", "h264" },
    { GST_RES_WHEP_SERVER_VIDEO_CODEC_VP8, "VP8 (vp8enc)", "vp8" },
    { 0, nullptr, nullptr },
  };
  return register_enum_once (&type, "GstResWhepServerVideoCodec", values);
}

enum {
  PROP_0,
  PROP_ADDRESS,
  PROP_PORT,
  PROP_BOUND_PORT,
  PROP_PATH,
  PROP_CERTIFICATE_FILE,
  PROP_KEY_FILE,
  PROP_TOKEN,
  PROP_MAX_VIEWERS,
  PROP_RETRY_AFTER,
  PROP_VIDEO_CODEC,
  PROP_VIDEO_BITRATE,
  PROP_KEYFRAME_MIN_INTERVAL,
  PROP_CONNECT_TIMEOUT,
  PROP_RTCP_TIMEOUT,
  PROP_STATISTICS,
};

namespace {

struct Settings
{
  /* address, port, path, certificate and key files */
  EndpointConfig ep = endpoint_defaults ("WHEP", DEFAULT_PORT, DEFAULT_PATH);
  std::string token;
  guint max_viewers = DEFAULT_MAX_VIEWERS;
  guint retry_after_ms = DEFAULT_RETRY_AFTER_MS;
  GstResWhepServerVideoCodec video_codec = DEFAULT_VIDEO_CODEC;
  guint video_bitrate = DEFAULT_VIDEO_BITRATE;
  guint keyframe_min_interval_ms = DEFAULT_KEYFRAME_MIN_INTERVAL_MS;
  guint connect_timeout_ms = DEFAULT_CONNECT_TIMEOUT_MS;
  guint rtcp_timeout_ms = DEFAULT_RTCP_TIMEOUT_MS;
};

/* One viewer's appsrc as the streaming threads see it. */
struct Out
{
  GstElement *appsrc; /* a ref */
  int pt;
  /* caps generation last set on the appsrc */
  std::shared_ptr<std::atomic<std::uint64_t>> caps_gen;

  std::string plid; /* H264 profile-level-id the viewer asked for */

  Out (GstElement *src, int p, std::string profile = {})
      : appsrc (GST_ELEMENT (gst_object_ref (src))), pt (p),
        caps_gen (std::make_shared<std::atomic<std::uint64_t>> (0)),
        plid (std::move (profile))
  {
  }
  Out (const Out &o)
      : appsrc (GST_ELEMENT (gst_object_ref (o.appsrc))), pt (o.pt),
        caps_gen (o.caps_gen), plid (o.plid)
  {
  }
  Out &operator= (const Out &) = delete;
  ~Out () { gst_object_unref (appsrc); }
};
using OutList = std::shared_ptr<const std::vector<Out>>;

using Counter = std::shared_ptr<std::atomic<std::uint64_t>>;

struct Viewer
{
  std::string id;
  std::string remote;
  std::string etag;
  GstElement *pipeline = nullptr;
  GstElement *webrtc = nullptr;
  GstElement *vsrc = nullptr; /* owned by pipeline */
  GstElement *asrc = nullptr;
  int video_pt = -1;
  int audio_pt = -1;
  std::string video_plid; /* H264 profile-level-id of the chosen format */
  int video_mline = -1;   /* m-line index of the offer's video / audio */
  int audio_mline = -1;
  SoupServerMessage *pending = nullptr; /* POST paused until the answer */
  srv::ViewerWatch watch;
  TimePoint created;
  Counter rtcp = std::make_shared<std::atomic<std::uint64_t>> (0);
  std::uint64_t rtcp_seen = 0;
  GObject *session = nullptr; /* webrtcbin's RTPSession 0, a ref */
  gulong rtcp_handler = 0;
  std::string state = "new";
  bool keyframe_asked = false;

  Viewer (TimePoint now, resilient::Duration connect,
          resilient::Duration rtcp_to)
      : watch (now, connect, rtcp_to), created (now)
  {
  }
};

/* The one-encode chain of a kind (video or audio). */
struct Chain
{
  GstElement *bin = nullptr;     /* in the element */
  GstElement *encoder = nullptr; /* a ref (video only) */
  GstElement *appsink = nullptr; /* owned by bin */
};

struct Private
{
  std::mutex lock;
  /* under lock */
  Settings settings;
  OutList video_outs = std::make_shared<std::vector<Out>> ();
  OutList audio_outs = std::make_shared<std::vector<Out>> ();
  GstCaps *video_caps = nullptr;
  GstCaps *audio_caps = nullptr;
  std::uint64_t video_caps_gen = 0;
  std::uint64_t audio_caps_gen = 0;
  guint video_ssrc = 0;
  guint audio_ssrc = 0;
  std::uint64_t viewers_total = 0;
  std::uint64_t keyframes = 0;
  GstStructure *viewer_stats = nullptr; /* snapshot of the viewer list */
  guint viewer_count = 0;

  ControlLoop loop{ "reswhepserversink" };
  /* pads and chains: state-change / request thread */
  GstPad *video_pad = nullptr;
  GstPad *audio_pad = nullptr;
  Chain video;
  Chain audio;

  /* loop thread only */
  std::unique_ptr<Endpoint> endpoint; /* made in init, HTTP on the loop */
  Settings running; /* settings copied when the server started */
  std::map<std::string, std::unique_ptr<Viewer>> viewers;
  std::unique_ptr<srv::KeyframeGate> gate;
  ControlLoop::TimerId keyframe_timer = 0;
  ControlLoop::TimerId reap_timer = 0;
};

} // namespace

struct _GstResWhepServerSink
{
  GstBin parent;
  Private *priv;
};

#define gst_res_whep_server_sink_parent_class parent_class
G_DEFINE_TYPE (GstResWhepServerSink, gst_res_whep_server_sink, GST_TYPE_BIN);
GST_ELEMENT_REGISTER_DEFINE (reswhepserversink, "reswhepserversink",
                             GST_RANK_NONE, GST_TYPE_RES_WHEP_SERVER_SINK);

static GstStaticPadTemplate video_template = GST_STATIC_PAD_TEMPLATE (
    "video", GST_PAD_SINK, GST_PAD_REQUEST, GST_STATIC_CAPS ("video/x-raw"));
static GstStaticPadTemplate audio_template = GST_STATIC_PAD_TEMPLATE (
    "audio", GST_PAD_SINK, GST_PAD_REQUEST, GST_STATIC_CAPS ("audio/x-raw"));

static ControlLoop::TimerId
schedule_in_ms (Private *priv, guint delay_ms, ControlLoop::Task task)
{
  GstClock *clock = gst_system_clock_obtain ();
  auto id = priv->loop.schedule_in (clock, delay_ms * GST_MSECOND,
                                    std::move (task));
  gst_object_unref (clock);
  return id;
}

/* ------------------------------------------------------------------ */
/* Streaming threads: fan-out                                          */

/* The payloader's caps as one viewer gets them: its payload type, and for
 * H264 the profile-level-id its offer named (we send Constrained
 * Baseline, which every 42xxxx receiver decodes; webrtcbin answers from
 * the pad's caps, and a level of our own would not intersect the offer's
 * format, leaving the m-line inactive). */
static GstCaps *
viewer_caps (GstCaps *payloader, int pt, const std::string &plid)
{
  GstCaps *c = gst_caps_copy (payloader);
  gst_caps_set_simple (c, "payload", G_TYPE_INT, pt, NULL);
  GstStructure *st = gst_caps_get_structure (c, 0);
  if (!plid.empty ()
      && g_strcmp0 (gst_structure_get_string (st, "encoding-name"), "H264")
             == 0) {
    gst_structure_set (st, "profile-level-id", G_TYPE_STRING, plid.c_str (),
                       NULL);
    /* webrtcbin reads the offer's profile-level-id as a `profile` name;
     * ours would only narrow the match */
    gst_structure_remove_field (st, "profile");
  }
  return c;
}

static void
push_to (const Out &o, GstBuffer *buf, GstCaps *caps, std::uint64_t gen)
{
  if (caps && o.caps_gen->exchange (gen) != gen) {
    GstCaps *c = viewer_caps (caps, o.pt, o.plid);
    gst_app_src_set_caps (GST_APP_SRC (o.appsrc), c);
    gst_caps_unref (c);
  }
  GstBuffer *out = nullptr;
  GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
  int pt = -1;
  if (gst_rtp_buffer_map (buf, GST_MAP_READ, &rtp)) {
    pt = gst_rtp_buffer_get_payload_type (&rtp);
    gst_rtp_buffer_unmap (&rtp);
  }
  if (pt == o.pt || pt < 0) {
    out = gst_buffer_ref (buf);
  } else {
    out = gst_buffer_copy_deep (buf);
    if (gst_rtp_buffer_map (out, GST_MAP_WRITE, &rtp)) {
      gst_rtp_buffer_set_payload_type (&rtp, (guint8)o.pt);
      gst_rtp_buffer_unmap (&rtp);
    }
  }
  /* never blocks: the appsrc drops its oldest buffers when a viewer
   * cannot keep up */
  gst_app_src_push_buffer (GST_APP_SRC (o.appsrc), out);
}

struct SinkCtx
{
  GstResWhepServerSink *self; /* not a ref: the appsink lives in self */
  bool video;
};

static GstFlowReturn
on_new_sample (GstAppSink *sink, gpointer user_data)
{
  auto *ctx = static_cast<SinkCtx *> (user_data);
  Private *priv = ctx->self->priv;
  GstSample *sample = gst_app_sink_pull_sample (sink);
  if (!sample)
    return GST_FLOW_EOS;
  GstCaps *caps = gst_sample_get_caps (sample);
  OutList outs;
  GstCaps *cur = nullptr;
  std::uint64_t gen = 0;
  {
    std::lock_guard<std::mutex> g (priv->lock);
    GstCaps **slot = ctx->video ? &priv->video_caps : &priv->audio_caps;
    std::uint64_t *gslot
        = ctx->video ? &priv->video_caps_gen : &priv->audio_caps_gen;
    if (caps && (!*slot || !gst_caps_is_equal (*slot, caps))) {
      gst_caps_replace (slot, caps);
      (*gslot)++;
    }
    cur = *slot ? gst_caps_ref (*slot) : nullptr;
    gen = *gslot;
    outs = ctx->video ? priv->video_outs : priv->audio_outs;
  }
  GstBuffer *buf = gst_sample_get_buffer (sample);
  const GstSegment *seg = gst_sample_get_segment (sample);
  if (buf && !outs->empty ()) {
    /* Viewers' pipelines share our clock and base time: their buffers
     * carry our running time (x264enc's 1000 h offset and the upstream
     * segment do not reach them, or a syncing sink inside webrtcbin would
     * wait for them). One shallow copy per packet, not per viewer. */
    GstBuffer *rt = gst_buffer_copy (buf);
    if (seg && seg->format == GST_FORMAT_TIME) {
      GST_BUFFER_PTS (rt) = gst_segment_to_running_time (seg, GST_FORMAT_TIME,
                                                         GST_BUFFER_PTS (buf));
      GST_BUFFER_DTS (rt) = GST_BUFFER_DTS_IS_VALID (buf)
                                ? gst_segment_to_running_time (
                                    seg, GST_FORMAT_TIME, GST_BUFFER_DTS (buf))
                                : GST_CLOCK_TIME_NONE;
    }
    for (const Out &o : *outs)
      push_to (o, rt, cur, gen);
    gst_buffer_unref (rt);
  }
  if (cur)
    gst_caps_unref (cur);
  gst_sample_unref (sample);
  return GST_FLOW_OK;
}

/* ------------------------------------------------------------------ */
/* Chains                                                              */

static bool
build_chain (GstResWhepServerSink *self, bool video, std::string &error)
{
  Private *priv = self->priv;
  Settings s;
  guint ssrc = g_random_int ();
  {
    std::lock_guard<std::mutex> g (priv->lock);
    s = priv->settings;
    (video ? priv->video_ssrc : priv->audio_ssrc) = ssrc;
  }
  std::ostringstream d;
  if (video) {
    d << "queue max-size-buffers=3 max-size-time=0 max-size-bytes=0 ! "
         "videoconvert ! ";
    if (s.video_codec == GST_RES_WHEP_SERVER_VIDEO_CODEC_VP8)
      d << "vp8enc name=enc deadline=1 cpu-used=8 lag-in-frames=0 "
           "error-resilient=partitions keyframe-max-dist="
        << KEYFRAME_MAX_DIST << " target-bitrate=" << s.video_bitrate * 1000
        << " ! rtpvp8pay picture-id-mode=15-bit";
    else
      d << "x264enc name=enc tune=zerolatency speed-preset=ultrafast "
           "key-int-max="
        << KEYFRAME_MAX_DIST << " bitrate=" << s.video_bitrate
        << " ! video/x-h264,profile=constrained-baseline"
           " ! rtph264pay config-interval=-1 aggregate-mode=zero-latency";
    d << " pt=" << VIDEO_PT;
  } else {
    d << "queue max-size-buffers=10 max-size-time=0 max-size-bytes=0 ! "
         "audioconvert ! audioresample ! opusenc name=enc ! rtpopuspay pt="
      << AUDIO_PT;
  }
  d << " mtu=1200 ssrc=" << ssrc << " ! appsink name=out";
  GError *err = nullptr;
  GstElement *bin = gst_parse_bin_from_description_full (
      d.str ().c_str (), TRUE, nullptr, GST_PARSE_FLAG_FATAL_ERRORS, &err);
  if (!bin) {
    error = std::string ("cannot build the ") + (video ? "video" : "audio")
            + " encoder chain: " + (err ? err->message : "unknown error");
    g_clear_error (&err);
    return false;
  }
  Chain &c = video ? priv->video : priv->audio;
  c.bin = bin;
  c.encoder = gst_bin_get_by_name (GST_BIN (bin), "enc");
  c.appsink = gst_bin_get_by_name (GST_BIN (bin), "out");
  gst_object_unref (c.appsink); /* owned by bin */
  g_object_set (c.appsink, "enable-last-sample", FALSE, "max-buffers", 64u,
                NULL);
  GstAppSinkCallbacks cb = {};
  cb.new_sample = on_new_sample;
  gst_app_sink_set_callbacks (
      GST_APP_SINK (c.appsink), &cb, new SinkCtx{ self, video },
      [] (gpointer p) { delete static_cast<SinkCtx *> (p); });
  gst_bin_add (GST_BIN (self), bin);
  GstPad *target = gst_element_get_static_pad (bin, "sink");
  gst_ghost_pad_set_target (
      GST_GHOST_PAD (video ? priv->video_pad : priv->audio_pad), target);
  gst_object_unref (target);
  return true;
}

static void
drop_chain (GstResWhepServerSink *self, bool video)
{
  Private *priv = self->priv;
  Chain &c = video ? priv->video : priv->audio;
  if (!c.bin)
    return;
  GstPad *ghost = video ? priv->video_pad : priv->audio_pad;
  if (ghost)
    gst_ghost_pad_set_target (GST_GHOST_PAD (ghost), nullptr);
  gst_element_set_state (c.bin, GST_STATE_NULL);
  gst_bin_remove (GST_BIN (self), c.bin);
  if (c.encoder)
    gst_object_unref (c.encoder);
  c = Chain{};
}

/* Loop thread: ask the video encoder for a keyframe now. */
static void
send_keyframe_request (GstResWhepServerSink *self)
{
  Private *priv = self->priv;
  g_return_if_fail (priv->loop.on_loop_thread ());
  priv->keyframe_timer = 0;
  if (priv->gate)
    priv->gate->sent (system_now ());
  GstElement *enc = priv->video.encoder;
  if (!enc)
    return;
  GstPad *src = gst_element_get_static_pad (enc, "src");
  if (!src)
    return;
  {
    std::lock_guard<std::mutex> g (priv->lock);
    priv->keyframes++;
  }
  GST_DEBUG_OBJECT (self, "asking the encoder for a keyframe");
  gst_pad_send_event (src, gst_video_event_new_upstream_force_key_unit (
                               GST_CLOCK_TIME_NONE, TRUE, 0));
  gst_object_unref (src);
}

/* Loop thread: a viewer needs a keyframe (joined, or sent PLI/FIR). */
static void
request_keyframe (GstResWhepServerSink *self)
{
  Private *priv = self->priv;
  g_return_if_fail (priv->loop.on_loop_thread ());
  if (!priv->gate)
    return;
  TimePoint now = system_now ();
  auto at = priv->gate->request (now);
  if (!at)
    return;
  if (*at <= now) {
    send_keyframe_request (self);
    return;
  }
  SelfRef<GstResWhepServerSink> ref (self);
  priv->keyframe_timer
      = schedule_in_ms (priv, (guint)resilient::to_ms (*at - now),
                        [ref] { send_keyframe_request (ref.p); });
}

/* ------------------------------------------------------------------ */
/* HTTP helpers (loop thread)                                          */

/* ------------------------------------------------------------------ */
/* Viewers (loop thread)                                               */

static void update_viewer_stats (GstResWhepServerSink *self);

static void
publish_outs (GstResWhepServerSink *self)
{
  Private *priv = self->priv;
  auto v = std::make_shared<std::vector<Out>> ();
  auto a = std::make_shared<std::vector<Out>> ();
  for (auto &[id, vw] : priv->viewers) {
    if (vw->vsrc)
      v->emplace_back (vw->vsrc, vw->video_pt, vw->video_plid);
    if (vw->asrc)
      a->emplace_back (vw->asrc, vw->audio_pt);
  }
  std::lock_guard<std::mutex> g (priv->lock);
  priv->video_outs = v;
  priv->audio_outs = a;
}

static void
destroy_viewer (GstResWhepServerSink *self, std::unique_ptr<Viewer> v)
{
  if (v->pending) {
    send_problem (v->pending, 500, "Internal Server Error",
                  "the session ended before its answer was ready");
    soup_server_message_unpause (v->pending);
    g_clear_object (&v->pending);
  }
  if (v->session) {
    if (v->rtcp_handler)
      g_signal_handler_disconnect (v->session, v->rtcp_handler);
    g_object_unref (v->session);
  }
  if (v->pipeline) {
    gst_element_set_state (v->pipeline, GST_STATE_NULL);
    GST_DEBUG_OBJECT (self, "viewer %s: pipeline down, %d references",
                      v->id.c_str (), GST_OBJECT_REFCOUNT_VALUE (v->pipeline));
    gst_object_unref (v->pipeline);
  }
}

/* Removes a viewer: out of the fan-out first, then its pipeline down. */
static void
remove_viewer (GstResWhepServerSink *self, const std::string &id,
               const std::string &reason)
{
  Private *priv = self->priv;
  g_return_if_fail (priv->loop.on_loop_thread ());
  auto it = priv->viewers.find (id);
  if (it == priv->viewers.end ())
    return;
  std::unique_ptr<Viewer> v = std::move (it->second);
  priv->viewers.erase (it);
  publish_outs (self);
  TimePoint now = system_now ();
  std::string remote = v->remote;
  bool joined = v->pending == nullptr;
  gint64 duration = resilient::to_ms (now - v->created);
  destroy_viewer (self, std::move (v));
  update_viewer_stats (self);
  GST_INFO_OBJECT (self, "viewer %s (%s) left: %s", id.c_str (),
                   remote.c_str (), reason.c_str ());
  if (joined)
    post_element_message (
        GST_ELEMENT (self),
        gst_structure_new (
            "reswhepserversink-viewer-left", "viewer-id", G_TYPE_STRING,
            id.c_str (), "remote-address", G_TYPE_STRING, remote.c_str (),
            "reason", G_TYPE_STRING, reason.c_str (), "duration-ms",
            G_TYPE_UINT64, (guint64)std::max<gint64> (0, duration), "viewers",
            G_TYPE_UINT, (guint)priv->viewers.size (), NULL));
}

struct ViewerCtx
{
  SelfRef<GstResWhepServerSink> self;
  std::string id;
};

static const GDestroyNotify free_ctx = delete_data<ViewerCtx>;
static const GClosureNotify free_ctx_closure = delete_closure_data<ViewerCtx>;

static Viewer *
find_viewer (GstResWhepServerSink *self, const std::string &id)
{
  auto it = self->priv->viewers.find (id);
  return it == self->priv->viewers.end () ? nullptr : it->second.get ();
}

using Ref = SelfRef<GstResWhepServerSink>;

static void
on_state_notify (GObject *webrtc, GParamSpec *, gpointer user_data)
{
  auto *ctx = static_cast<ViewerCtx *> (user_data);
  GstWebRTCPeerConnectionState pc;
  GstWebRTCICEConnectionState ice;
  g_object_get (webrtc, "connection-state", &pc, "ice-connection-state", &ice,
                NULL);
  SelfRef<GstResWhepServerSink> ref = ctx->self;
  std::string id = ctx->id;
  ref.p->priv->loop.post ([ref, id, pc, ice] {
    GstResWhepServerSink *self = ref.p;
    Viewer *v = find_viewer (self, id);
    if (!v)
      return;
    TimePoint now = system_now ();
    if (pc == GST_WEBRTC_PEER_CONNECTION_STATE_FAILED
        || ice == GST_WEBRTC_ICE_CONNECTION_STATE_FAILED)
      v->watch.on_failed ("ICE or DTLS failed");
    else if (pc == GST_WEBRTC_PEER_CONNECTION_STATE_CLOSED
             || ice == GST_WEBRTC_ICE_CONNECTION_STATE_CLOSED)
      v->watch.on_failed ("connection closed");
    else if (pc == GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED) {
      if (!v->watch.connected ())
        v->state = "connected";
      v->watch.on_connected (now);
      if (!v->keyframe_asked) {
        v->keyframe_asked = true;
        request_keyframe (self);
      }
    } else if (ice == GST_WEBRTC_ICE_CONNECTION_STATE_DISCONNECTED) {
      v->state = "disconnected";
    }
  });
}

static bool attach_sources (GstResWhepServerSink *self, Viewer *v);

static void
on_receiving_rtcp (GObject *, GstBuffer *, gpointer user_data)
{
  (*static_cast<Counter *> (user_data))->fetch_add (1);
}

static void
free_counter (gpointer p, GClosure *)
{
  delete static_cast<Counter *> (p);
}

/* A viewer's PLI / FIR reaches its appsrc as an upstream force-key-unit:
 * forward it (rate-limited) to our one encoder. */
static GstPadProbeReturn
on_upstream_event (GstPad *, GstPadProbeInfo *info, gpointer user_data)
{
  GstEvent *ev = GST_PAD_PROBE_INFO_EVENT (info);
  if (ev && gst_video_event_is_force_key_unit (ev)) {
    auto *ctx = static_cast<ViewerCtx *> (user_data);
    SelfRef<GstResWhepServerSink> ref = ctx->self;
    ref.p->priv->loop.post ([ref] { request_keyframe (ref.p); });
  }
  return GST_PAD_PROBE_OK;
}

/* A viewer's pipeline reports an error: that viewer goes, nobody else
 * notices. Any thread; the removal runs on the loop. */
static GstBusSyncReply
on_viewer_bus (GstBus *, GstMessage *m, gpointer user_data)
{
  if (GST_MESSAGE_TYPE (m) == GST_MESSAGE_ERROR) {
    auto *ctx = static_cast<ViewerCtx *> (user_data);
    GError *err = nullptr;
    gst_message_parse_error (m, &err, nullptr);
    std::string why = std::string ("error: ") + (err ? err->message : "?");
    g_clear_error (&err);
    SelfRef<GstResWhepServerSink> ref = ctx->self;
    std::string id = ctx->id;
    GST_WARNING_OBJECT (ref.p, "viewer %s: %s", id.c_str (), why.c_str ());
    ref.p->priv->loop.post ([ref, id, why] { remove_viewer (ref.p, id, why); });
  }
  /* nobody pops this bus: a dropped message is ours to release (it holds
   * its source, so keeping it would keep the whole viewer pipeline) */
  gst_message_unref (m);
  return GST_BUS_DROP;
}

static GstElement *
make_appsrc (GstResWhepServerSink *self, Viewer *v, bool video)
{
  GstElement *src
      = gst_element_factory_make ("appsrc", video ? "video" : "audio");
  g_object_set (src, "is-live", TRUE, "format", GST_FORMAT_TIME, "do-timestamp",
                FALSE, "block", FALSE, "max-bytes", (guint64)0, "max-buffers",
                (guint64)(video ? 512 : 128), NULL);
  gst_app_src_set_leaky_type (GST_APP_SRC (src), GST_APP_LEAKY_TYPE_DOWNSTREAM);
  Private *priv = self->priv;
  GstCaps *caps = nullptr;
  {
    std::lock_guard<std::mutex> g (priv->lock);
    GstCaps *c = video ? priv->video_caps : priv->audio_caps;
    caps = c ? gst_caps_copy (c) : nullptr;
  }
  if (caps) {
    GstCaps *vc = viewer_caps (caps, video ? v->video_pt : v->audio_pt,
                               video ? v->video_plid : std::string ());
    gst_caps_unref (caps);
    caps = vc;
    gst_app_src_set_caps (GST_APP_SRC (src), caps);
    gst_caps_unref (caps);
  }
  if (video) {
    GstPad *pad = gst_element_get_static_pad (src, "src");
    gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_EVENT_UPSTREAM,
                       on_upstream_event,
                       new ViewerCtx{ SelfRef (self), v->id }, free_ctx);
    gst_object_unref (pad);
  }
  return src;
}

static bool
link_to_webrtc (Viewer *v, GstElement *src, int mline, const std::string &kind,
                const char *encoding, int clock_rate, int pt, guint ssrc)
{
  /* sink_<mline>: the transceiver webrtcbin made for that m-line */
  std::string name = "sink_" + std::to_string (mline);
  GstPad *sink = gst_element_request_pad_simple (v->webrtc, name.c_str ());
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
 * takes, linked to the transceiver of its m-line (sendonly, our codec),
 * then the viewer joins the fan-out. */
static bool
attach_sources (GstResWhepServerSink *self, Viewer *v)
{
  Private *priv = self->priv;
  guint vssrc, assrc;
  GstResWhepServerVideoCodec codec;
  {
    std::lock_guard<std::mutex> g (priv->lock);
    vssrc = priv->video_ssrc;
    assrc = priv->audio_ssrc;
  }
  codec = priv->running.video_codec;
  bool ok = true;
  if (v->video_pt >= 0) {
    v->vsrc = make_appsrc (self, v, true);
    gst_bin_add (GST_BIN (v->pipeline), v->vsrc);
    ok &= link_to_webrtc (v, v->vsrc, v->video_mline, "video",
                          codec == GST_RES_WHEP_SERVER_VIDEO_CODEC_VP8 ? "VP8"
                                                                       : "H264",
                          90000, v->video_pt, vssrc);
    gst_element_sync_state_with_parent (v->vsrc);
  }
  if (v->audio_pt >= 0) {
    v->asrc = make_appsrc (self, v, false);
    gst_bin_add (GST_BIN (v->pipeline), v->asrc);
    ok &= link_to_webrtc (v, v->asrc, v->audio_mline, "audio", "OPUS", 48000,
                          v->audio_pt, assrc);
    gst_element_sync_state_with_parent (v->asrc);
  }
  if (ok)
    publish_outs (self);
  return ok;
}

/* Loop thread: count the RTCP the viewer sends, once webrtcbin's RTP
 * session exists (it is made when the description is applied). */
static void
watch_rtcp (Viewer *v)
{
  if (v->session)
    return;
  GObject *session = rtp_session_of (v->webrtc);
  if (!session)
    return;
  v->session = session;
  v->rtcp_handler = g_signal_connect_data (
      session, "on-receiving-rtcp", G_CALLBACK (on_receiving_rtcp),
      new Counter (v->rtcp), free_counter, (GConnectFlags)0);
}

/* Loop thread: the viewer's answer is ready (or it failed). */
static void
on_answered (GstResWhepServerSink *self, const std::string &id,
             const AnswerResult &res)
{
  Private *priv = self->priv;
  Viewer *v = find_viewer (self, id);
  if (!v || !v->pending)
    return;
  SoupServerMessage *msg = std::exchange (v->pending, nullptr);
  if (res.status != 0) {
    priv->endpoint->refuse (msg, res.status, res.error);
    soup_server_message_unpause (msg);
    g_object_unref (msg);
    remove_viewer (self, id, res.error);
    return;
  }
  GST_LOG_OBJECT (self, "viewer %s: answer\n%s", id.c_str (),
                  res.answer.c_str ());
  priv->endpoint->created (msg, id, v->etag, res.answer);
  soup_server_message_unpause (msg);
  g_object_unref (msg);
  v->state = "answered";
  {
    std::lock_guard<std::mutex> g (priv->lock);
    priv->viewers_total++;
  }
  update_viewer_stats (self);
  GST_INFO_OBJECT (self, "viewer %s (%s) joined", id.c_str (),
                   v->remote.c_str ());
  post_element_message (
      GST_ELEMENT (self),
      gst_structure_new ("reswhepserversink-viewer-joined", "viewer-id",
                         G_TYPE_STRING, id.c_str (), "remote-address",
                         G_TYPE_STRING, v->remote.c_str (), "viewers",
                         G_TYPE_UINT, (guint)priv->viewers.size (), NULL));
}

/* The formats of an offer this endpoint can serve, or a refusal sent. */
static std::optional<srv::Formats>
offer_formats (GstResWhepServerSink *self, SoupServerMessage *msg,
               const std::string &offer)
{
  Private *priv = self->priv;
  int status = 0;
  std::string error;
  auto formats = srv::choose_formats (
      offer,
      priv->running.video_codec == GST_RES_WHEP_SERVER_VIDEO_CODEC_VP8
          ? srv::VideoCodec::VP8
          : srv::VideoCodec::H264,
      priv->audio.bin != nullptr, status, error);
  if (formats && !priv->video.bin)
    formats->video_pt = -1;
  if (formats && formats->video_pt < 0 && formats->audio_pt < 0) {
    formats.reset ();
    status = 422;
    error = "the offer accepts none of the media this endpoint sends";
  }
  if (!formats)
    priv->endpoint->refuse (msg, status, error);
  return formats;
}

/* The viewer's pipeline (webrtcbin alone until the offer is applied), on
 * the element's clock and base time. */
static void
make_viewer_pipeline (GstResWhepServerSink *self, Viewer *v)
{
  v->pipeline = gst_pipeline_new (("viewer-" + v->id.substr (0, 8)).c_str ());
  gst_object_ref_sink (v->pipeline);
  v->webrtc = gst_element_factory_make ("webrtcbin", "webrtc");
  g_object_set (v->webrtc, "bundle-policy", GST_WEBRTC_BUNDLE_POLICY_MAX_BUNDLE,
                NULL);
  resilient::gst::configure_ice_agent (
      v->webrtc, is_loopback (self->priv->running.ep.address));
  gst_bin_add (GST_BIN (v->pipeline), v->webrtc);
  Ref ref (self);
  g_signal_connect_data (
      v->webrtc, "notify::connection-state", G_CALLBACK (on_state_notify),
      new ViewerCtx{ ref, v->id }, free_ctx_closure, (GConnectFlags)0);
  g_signal_connect_data (
      v->webrtc, "notify::ice-connection-state", G_CALLBACK (on_state_notify),
      new ViewerCtx{ ref, v->id }, free_ctx_closure, (GConnectFlags)0);
  GstBus *bus = gst_pipeline_get_bus (GST_PIPELINE (v->pipeline));
  gst_bus_set_sync_handler (bus, on_viewer_bus, new ViewerCtx{ ref, v->id },
                            free_ctx);
  gst_object_unref (bus);
  GstClock *clock = gst_element_get_clock (GST_ELEMENT (self));
  if (clock) {
    gst_pipeline_use_clock (GST_PIPELINE (v->pipeline), clock);
    gst_element_set_base_time (v->pipeline,
                               gst_element_get_base_time (GST_ELEMENT (self)));
    gst_element_set_start_time (v->pipeline, GST_CLOCK_TIME_NONE);
    gst_object_unref (clock);
  }
}

/* Loop thread: a POST passed route(); make the viewer and answer it. */
static void
create_viewer (GstResWhepServerSink *self, SoupServerMessage *msg,
               const std::string &offer)
{
  Private *priv = self->priv;
  const Settings &s = priv->running;
  auto formats = offer_formats (self, msg, offer);
  if (!formats)
    return;
  GstSDPMessage *sdp = nullptr;
  if (gst_sdp_message_new_from_text (offer.c_str (), &sdp) != GST_SDP_OK
      || !sdp) {
    if (sdp)
      gst_sdp_message_free (sdp);
    priv->endpoint->refuse (msg, 400, "the body is not an SDP offer");
    return;
  }
  std::string id = new_session_id ();
  auto v = std::make_unique<Viewer> (system_now (),
                                     resilient::ms (s.connect_timeout_ms),
                                     resilient::ms (s.rtcp_timeout_ms));
  v->id = id;
  v->remote = remote_of (msg);
  v->etag = "\"" + id.substr (0, 8) + "-1\"";
  v->video_pt = formats->video_pt;
  v->video_plid = formats->video_profile_level_id;
  v->audio_pt = formats->audio_pt;
  /* the sources and their transceivers come once the offer is applied
   * (attach_sources): a transceiver made before could stay unmatched to
   * the offer's m-lines, and webrtcbin 1.22 aborts on a pad whose
   * transceiver has no stream */
  for (guint i = 0; i < gst_sdp_message_medias_len (sdp); i++) {
    const char *mid = gst_sdp_media_get_attribute_val (
        gst_sdp_message_get_media (sdp, i), "mid");
    if (mid && v->video_pt >= 0 && formats->video_mid == mid)
      v->video_mline = (int)i;
    if (mid && v->audio_pt >= 0 && formats->audio_mid == mid)
      v->audio_mline = (int)i;
  }
  if ((v->video_pt >= 0 && v->video_mline < 0)
      || (v->audio_pt >= 0 && v->audio_mline < 0)) {
    gst_sdp_message_free (sdp);
    priv->endpoint->refuse (msg, 400,
                            "every m-section of the offer needs an a=mid");
    return;
  }
  make_viewer_pipeline (self, v.get ());
  if (gst_element_set_state (v->pipeline, GST_STATE_PLAYING)
      == GST_STATE_CHANGE_FAILURE) {
    gst_sdp_message_free (sdp);
    destroy_viewer (self, std::move (v));
    priv->endpoint->refuse (msg, 500, "the viewer's webrtcbin did not start");
    return;
  }
  v->pending = SOUP_SERVER_MESSAGE (g_object_ref (msg));
  soup_server_message_pause (msg);
  Viewer *raw = v.get ();
  priv->viewers[id] = std::move (v);
  publish_outs (self);
  update_viewer_stats (self);
  Ref ref (self);
  answer_offer (
      priv->loop, raw->webrtc, sdp, GATHER_TIMEOUT_MS,
      [ref, id] {
        Viewer *vv = find_viewer (ref.p, id);
        return vv && attach_sources (ref.p, vv);
      },
      [ref, id] (const AnswerResult &r) { on_answered (ref.p, id, r); });
}

/* Loop thread: the reaper. */
static void
reap (GstResWhepServerSink *self)
{
  Private *priv = self->priv;
  priv->reap_timer = 0;
  TimePoint now = system_now ();
  std::vector<std::pair<std::string, std::string>> dead;
  for (auto &[id, v] : priv->viewers) {
    watch_rtcp (v.get ());
    std::uint64_t n = v->rtcp->load ();
    if (n != v->rtcp_seen) {
      v->rtcp_seen = n;
      v->watch.on_rtcp (now);
    }
    if (auto why = v->watch.dead (now))
      dead.emplace_back (id, *why);
  }
  for (auto &[id, why] : dead)
    remove_viewer (self, id, why);
  update_viewer_stats (self);
  SelfRef<GstResWhepServerSink> ref (self);
  priv->reap_timer
      = schedule_in_ms (priv, REAP_PERIOD_MS, [ref] { reap (ref.p); });
}

/* Loop thread: the statistics' viewer list, refreshed on every change and
 * reaper pass. */
static void
update_viewer_stats (GstResWhepServerSink *self)
{
  Private *priv = self->priv;
  TimePoint now = system_now ();
  GValue list = G_VALUE_INIT;
  gst_value_array_init (&list, priv->viewers.size ());
  for (auto &[id, v] : priv->viewers) {
    GstStructure *s = gst_structure_new (
        "viewer", "viewer-id", G_TYPE_STRING, id.c_str (), "remote-address",
        G_TYPE_STRING, v->remote.c_str (), "state", G_TYPE_STRING,
        v->state.c_str (), "age-ms", G_TYPE_UINT64,
        (guint64)std::max<gint64> (0, resilient::to_ms (now - v->created)),
        "silence-ms", G_TYPE_UINT64,
        (guint64)std::max<gint64> (0,
                                   resilient::to_ms (v->watch.silence (now))),
        "rtcp-packets", G_TYPE_UINT64, (guint64)v->rtcp->load (),
        "video-payload", G_TYPE_INT, v->video_pt, "audio-payload", G_TYPE_INT,
        v->audio_pt, NULL);
    GValue val = G_VALUE_INIT;
    g_value_init (&val, GST_TYPE_STRUCTURE);
    g_value_take_boxed (&val, s);
    gst_value_array_append_and_take_value (&list, &val);
  }
  GstStructure *holder = gst_structure_new_empty ("viewers");
  gst_structure_take_value (holder, "viewer-list", &list);
  GstStructure *old;
  {
    std::lock_guard<std::mutex> g (priv->lock);
    old = std::exchange (priv->viewer_stats, holder);
    priv->viewer_count = (guint)priv->viewers.size ();
  }
  if (old)
    gst_structure_free (old);
}

/* Loop thread. */
static bool
start_server (GstResWhepServerSink *self, std::string &error)
{
  Private *priv = self->priv;
  {
    std::lock_guard<std::mutex> g (priv->lock);
    priv->running = priv->settings;
  }
  const Settings &s = priv->running;
  EndpointConfig c = s.ep;
  c.limits.token = s.token;
  c.limits.max_body = DEFAULT_MAX_BODY;
  c.limits.max_viewers = s.max_viewers;
  c.limits.retry_after = resilient::ms (s.retry_after_ms);
  if (!priv->endpoint->start (c, error))
    return false;
  priv->gate = std::make_unique<srv::KeyframeGate> (
      resilient::ms (s.keyframe_min_interval_ms));
  SelfRef<GstResWhepServerSink> ref (self);
  priv->reap_timer
      = schedule_in_ms (priv, REAP_PERIOD_MS, [ref] { reap (ref.p); });
  return true;
}

/* Loop thread: every viewer gone, the server closed. */
static void
stop_server (GstResWhepServerSink *self)
{
  Private *priv = self->priv;
  priv->loop.cancel_all ();
  priv->reap_timer = 0;
  priv->keyframe_timer = 0;
  std::vector<std::string> ids;
  for (auto &[id, v] : priv->viewers)
    ids.push_back (id);
  for (auto &id : ids)
    remove_viewer (self, id, "stopped");
  priv->endpoint->stop ();
  priv->gate.reset ();
}

/* The HTTP side's handlers (loop thread); the endpoint is the element's. */
static std::unique_ptr<Endpoint>
make_endpoint (GstResWhepServerSink *self)
{
  Endpoint::Handlers h;
  h.exists = [self] (const std::string &id) {
    return find_viewer (self, id) != nullptr;
  };
  h.count = [self] { return (unsigned)self->priv->viewers.size (); };
  h.create = [self] (SoupServerMessage *msg, const std::string &offer) {
    create_viewer (self, msg, offer);
  };
  h.trickle = [self] (SoupServerMessage *msg, const std::string &id,
                      const std::string &if_match, const std::string &body) {
    Viewer *v = find_viewer (self, id);
    int n = trickle_candidates (msg, v->webrtc, v->etag, if_match, body);
    GST_DEBUG_OBJECT (self, "viewer %s: %d trickled candidates", id.c_str (),
                      n);
  };
  h.remove
      = [self] (const std::string &id) { remove_viewer (self, id, "DELETE"); };
  return std::make_unique<Endpoint> (GST_OBJECT (self), std::move (h));
}

/* ------------------------------------------------------------------ */
/* GObject / GstElement                                                */

static GstPad *
request_new_pad (GstElement *element, GstPadTemplate *templ, const gchar *,
                 const GstCaps *)
{
  auto *self = GST_RES_WHEP_SERVER_SINK (element);
  Private *priv = self->priv;
  bool video = g_str_equal (GST_PAD_TEMPLATE_NAME_TEMPLATE (templ), "video");
  GstPad **slot = video ? &priv->video_pad : &priv->audio_pad;
  if (*slot) {
    GST_WARNING_OBJECT (self, "only one %s pad", video ? "video" : "audio");
    return nullptr;
  }
  GstPad *pad = gst_ghost_pad_new_no_target_from_template (
      video ? "video" : "audio", templ);
  *slot = pad;
  gst_pad_set_active (pad, TRUE);
  gst_element_add_pad (element, pad);
  if (GST_STATE (element) >= GST_STATE_READY) {
    std::string error;
    if (!build_chain (self, video, error)) {
      GST_ELEMENT_ERROR (self, CORE, MISSING_PLUGIN, ("%s", error.c_str ()),
                         (nullptr));
    } else {
      gst_element_sync_state_with_parent (
          (video ? priv->video : priv->audio).bin);
    }
  }
  return pad;
}

static void
release_pad (GstElement *element, GstPad *pad)
{
  auto *self = GST_RES_WHEP_SERVER_SINK (element);
  Private *priv = self->priv;
  bool video = pad == priv->video_pad;
  if (!video && pad != priv->audio_pad)
    return;
  drop_chain (self, video);
  (video ? priv->video_pad : priv->audio_pad) = nullptr;
  gst_element_remove_pad (element, pad);
}

static GstStateChangeReturn
change_state (GstElement *element, GstStateChange transition)
{
  auto *self = GST_RES_WHEP_SERVER_SINK (element);
  Private *priv = self->priv;
  switch (transition) {
  case GST_STATE_CHANGE_NULL_TO_READY: {
    if (!priv->video_pad && !priv->audio_pad) {
      GST_ELEMENT_ERROR (
          self, CORE, NEGOTIATION,
          ("Nothing to serve: link a video and/or an audio stream to "
           "reswhepserversink."),
          (nullptr));
      return GST_STATE_CHANGE_FAILURE;
    }
    std::string error;
    for (bool video : { true, false })
      if ((video ? priv->video_pad : priv->audio_pad)
          && !(video ? priv->video : priv->audio).bin
          && !build_chain (self, video, error)) {
        GST_ELEMENT_ERROR (self, CORE, MISSING_PLUGIN, ("%s", error.c_str ()),
                           (nullptr));
        drop_chain (self, true);
        drop_chain (self, false);
        return GST_STATE_CHANGE_FAILURE;
      }
    priv->loop.start ();
    bool ok = false;
    priv->loop.post_and_wait ([&] { ok = start_server (self, error); });
    if (!ok) {
      priv->loop.stop ();
      drop_chain (self, true);
      drop_chain (self, false);
      GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ_WRITE,
                         ("Cannot serve WHEP: %s.", error.c_str ()), (nullptr));
      return GST_STATE_CHANGE_FAILURE;
    }
    break;
  }
  default:
    break;
  }
  GstStateChangeReturn ret
      = GST_ELEMENT_CLASS (parent_class)->change_state (element, transition);
  switch (transition) {
  case GST_STATE_CHANGE_READY_TO_NULL: {
    priv->loop.post_and_wait ([self] { stop_server (self); });
    priv->loop.stop ();
    drop_chain (self, true);
    drop_chain (self, false);
    std::lock_guard<std::mutex> g (priv->lock);
    gst_caps_replace (&priv->video_caps, nullptr);
    gst_caps_replace (&priv->audio_caps, nullptr);
    break;
  }
  default:
    break;
  }
  return ret;
}

static GstStructure *
statistics (GstResWhepServerSink *self)
{
  Private *priv = self->priv;
  std::lock_guard<std::mutex> g (priv->lock);
  GstStructure *s = gst_structure_new (
      "reswhepserversink-statistics", "viewers", G_TYPE_UINT,
      priv->viewer_count, "viewers-total", G_TYPE_UINT64, priv->viewers_total,
      "requests-refused", G_TYPE_UINT64, priv->endpoint->refused (),
      "keyframe-requests", G_TYPE_UINT64, priv->keyframes, "bound-port",
      G_TYPE_INT, priv->endpoint->port (), NULL);
  const GValue *list
      = priv->viewer_stats
            ? gst_structure_get_value (priv->viewer_stats, "viewer-list")
            : nullptr;
  if (list) {
    gst_structure_set_value (s, "viewer-list", list);
  } else {
    GValue empty = G_VALUE_INIT;
    gst_value_array_init (&empty, 0);
    gst_structure_take_value (s, "viewer-list", &empty);
  }
  return s;
}

static void
set_property (GObject *object, guint prop_id, const GValue *value,
              GParamSpec *pspec)
{
  auto *self = GST_RES_WHEP_SERVER_SINK (object);
  Private *priv = self->priv;
  std::lock_guard<std::mutex> g (priv->lock);
  Settings &s = priv->settings;
  if (set_endpoint_property (s.ep, prop_id, PROP_ADDRESS, value))
    return;
  auto str = [value] {
    const char *v = g_value_get_string (value);
    return std::string (v ? v : "");
  };
  switch (prop_id) {
  case PROP_TOKEN:
    s.token = str ();
    break;
  case PROP_MAX_VIEWERS:
    s.max_viewers = g_value_get_uint (value);
    break;
  case PROP_RETRY_AFTER:
    s.retry_after_ms = g_value_get_uint (value);
    break;
  case PROP_VIDEO_CODEC:
    s.video_codec = (GstResWhepServerVideoCodec)g_value_get_enum (value);
    break;
  case PROP_VIDEO_BITRATE:
    s.video_bitrate = g_value_get_uint (value);
    break;
  case PROP_KEYFRAME_MIN_INTERVAL:
    s.keyframe_min_interval_ms = g_value_get_uint (value);
    break;
  case PROP_CONNECT_TIMEOUT:
    s.connect_timeout_ms = g_value_get_uint (value);
    break;
  case PROP_RTCP_TIMEOUT:
    s.rtcp_timeout_ms = g_value_get_uint (value);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  auto *self = GST_RES_WHEP_SERVER_SINK (object);
  Private *priv = self->priv;
  if (prop_id == PROP_STATISTICS) {
    g_value_take_boxed (value, statistics (self));
    return;
  }
  std::lock_guard<std::mutex> g (priv->lock);
  const Settings &s = priv->settings;
  if (get_endpoint_property (s.ep, prop_id, PROP_ADDRESS,
                             priv->endpoint->port (), value))
    return;
  switch (prop_id) {
  case PROP_MAX_VIEWERS:
    g_value_set_uint (value, s.max_viewers);
    break;
  case PROP_RETRY_AFTER:
    g_value_set_uint (value, s.retry_after_ms);
    break;
  case PROP_VIDEO_CODEC:
    g_value_set_enum (value, s.video_codec);
    break;
  case PROP_VIDEO_BITRATE:
    g_value_set_uint (value, s.video_bitrate);
    break;
  case PROP_KEYFRAME_MIN_INTERVAL:
    g_value_set_uint (value, s.keyframe_min_interval_ms);
    break;
  case PROP_CONNECT_TIMEOUT:
    g_value_set_uint (value, s.connect_timeout_ms);
    break;
  case PROP_RTCP_TIMEOUT:
    g_value_set_uint (value, s.rtcp_timeout_ms);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
finalize (GObject *object)
{
  auto *self = GST_RES_WHEP_SERVER_SINK (object);
  Private *priv = self->priv;
  priv->loop.stop ();
  if (priv->video.encoder)
    gst_object_unref (priv->video.encoder);
  if (priv->audio.encoder)
    gst_object_unref (priv->audio.encoder);
  gst_caps_replace (&priv->video_caps, nullptr);
  gst_caps_replace (&priv->audio_caps, nullptr);
  if (priv->viewer_stats)
    gst_structure_free (priv->viewer_stats);
  delete priv;
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_res_whep_server_sink_init (GstResWhepServerSink *self)
{
  self->priv = new Private ();
  self->priv->endpoint = make_endpoint (self);
  GST_OBJECT_FLAG_SET (self, GST_ELEMENT_FLAG_SINK);
}

static void
gst_res_whep_server_sink_class_init (GstResWhepServerSinkClass *klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  gobject_class->set_property = set_property;
  gobject_class->get_property = get_property;
  gobject_class->finalize = finalize;
  element_class->change_state = change_state;
  element_class->request_new_pad = request_new_pad;
  element_class->release_pad = release_pad;

  GST_DEBUG_CATEGORY_INIT (res_whep_server_sink_debug, "reswhepserversink", 0,
                           "WHEP server for many viewers from one encode");

  auto rw_ready = (GParamFlags)(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS
                                | GST_PARAM_MUTABLE_READY);
  auto ro = (GParamFlags)(G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  install_endpoint_properties (gobject_class, PROP_ADDRESS, "WHEP", "viewers",
                               DEFAULT_PORT, DEFAULT_PATH);
  g_object_class_install_property (
      gobject_class, PROP_TOKEN,
      g_param_spec_string (
          "token", "Token",
          "Bearer token every viewer request must carry as 'Authorization: "
          "Bearer <token>' (write-only, never logged); unset lets anyone "
          "view.",
          nullptr,
          (GParamFlags)(G_PARAM_WRITABLE | G_PARAM_STATIC_STRINGS
                        | GST_PARAM_MUTABLE_READY)));
  g_object_class_install_property (
      gobject_class, PROP_MAX_VIEWERS,
      g_param_spec_uint (
          "max-viewers", "Maximum viewers",
          "Most viewers served at once; a further offer gets 503 with "
          "Retry-After. 0 means no limit.",
          0, G_MAXUINT, DEFAULT_MAX_VIEWERS, rw_ready));
  g_object_class_install_property (
      gobject_class, PROP_RETRY_AFTER,
      g_param_spec_uint (
          "retry-after", "Retry after",
          "Time a refused viewer is told to wait (Retry-After, rounded up "
          "to seconds), in milliseconds.",
          0, 3600000, DEFAULT_RETRY_AFTER_MS, rw_ready));
  g_object_class_install_property (
      gobject_class, PROP_VIDEO_CODEC,
      g_param_spec_enum (
          "video-codec", "Video codec",
          "Codec the one video encoder produces for every viewer.",
          gst_res_whep_server_video_codec_get_type (), DEFAULT_VIDEO_CODEC,
          rw_ready));
  g_object_class_install_property (
      gobject_class, PROP_VIDEO_BITRATE,
      g_param_spec_uint ("video-bitrate", "Video bitrate",
                         "Target bitrate of the video encoder, in kbit/s.", 50,
                         100000, DEFAULT_VIDEO_BITRATE, rw_ready));
  g_object_class_install_property (
      gobject_class, PROP_KEYFRAME_MIN_INTERVAL,
      g_param_spec_uint (
          "keyframe-min-interval", "Keyframe minimum interval",
          "Shortest time between two keyframes asked of the encoder for "
          "joining viewers or their picture-loss reports, in milliseconds; "
          "requests in between are merged into one. 0 asks every time.",
          0, 60000, DEFAULT_KEYFRAME_MIN_INTERVAL_MS, rw_ready));
  g_object_class_install_property (
      gobject_class, PROP_CONNECT_TIMEOUT,
      g_param_spec_uint (
          "connect-timeout", "Connect timeout",
          "Time a viewer has from its offer to a connected peer connection "
          "before it is dropped, in milliseconds. 0 waits forever.",
          0, 600000, DEFAULT_CONNECT_TIMEOUT_MS, rw_ready));
  g_object_class_install_property (
      gobject_class, PROP_RTCP_TIMEOUT,
      g_param_spec_uint (
          "rtcp-timeout", "RTCP timeout",
          "Shortest RTCP silence after which a connected viewer is dropped, "
          "in milliseconds; a viewer that reports slowly gets 3 times its "
          "longest report gap. 0 never drops a silent viewer.",
          0, 600000, DEFAULT_RTCP_TIMEOUT_MS, rw_ready));
  g_object_class_install_property (
      gobject_class, PROP_STATISTICS,
      g_param_spec_boxed (
          "statistics", "Statistics",
          "Viewer count, totals and the list of viewers (see the element "
          "documentation).",
          GST_TYPE_STRUCTURE, ro));

  gst_element_class_add_static_pad_template (element_class, &video_template);
  gst_element_class_add_static_pad_template (element_class, &audio_template);
  gst_element_class_set_static_metadata (
      element_class, "WHEP server sink", "Sink/Network/WebRTC",
      "Serves WHEP to many viewers from one encode (one webrtcbin per "
      "viewer, no encoder per viewer)",
      "gst-resilient");
  gst_type_mark_as_plugin_api (gst_res_whep_server_video_codec_get_type (),
                               (GstPluginAPIFlags)0);
}
