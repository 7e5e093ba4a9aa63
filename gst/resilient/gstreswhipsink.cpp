/* gst-resilient: reswhipsink
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
/**
 * SECTION:element-reswhipsink
 * @title: reswhipsink
 *
 * Publishes one video and/or one audio track to a WHIP (RFC 9725) endpoint
 * over webrtcbin. Request a `video_%u` and/or `audio_%u` pad and feed it
 * raw video / audio (encoded here: H264 Constrained Baseline with x264enc
 * or VP8 with vp8enc, in the `video-codecs` order; Opus for audio) or
 * already-encoded H264 / VP8 / Opus (payloaded as is).
 *
 * |[
 * gst-launch-1.0 videotestsrc is-live=true ! reswhipsink name=s \
 *     uri=whip://127.0.0.1:8889/cam/whip \
 *     audiotestsrc is-live=true ! s.
 * RESILIENT_WHIP_TOKEN=secret gst-launch-1.0 v4l2src ! videoconvert ! \
 *     reswhipsink uri=whips://live.example.com/whip video-codecs=vp8,h264
 * ]|
 *
 * Failures are posted as `reswhipsink-failure` element messages, classified
 * fatal or transient with the HTTP status and the server's problem detail,
 * then as an ERROR (or a WARNING with error-on-failure=false). The element
 * never retries on its own. See docs/elements/reswhipsink.md.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstreswhipsink.h"

#include "elements.h"
#include "common/controlloop.h"
#include "common/messages.h"
#include "common/whipchainplan.h"
#include "common/whipelement.h"
#include "resilient/whip/sdp.h"

#include <gst/rtp/rtp.h>
#include <gst/webrtc/webrtc.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>
#include <sstream>
#include <vector>

GST_DEBUG_CATEGORY_STATIC (res_whip_sink_debug);
#define GST_CAT_DEFAULT res_whip_sink_debug

using namespace resilient::gst;

/* Lock order: priv->lock, then the ControlLoop's internal lock. Nothing is
 * posted, notified or state-changed with priv->lock held. */

enum
{
  PROP_VIDEO_CODECS = PROP_WHIP_COMMON_LAST,
  PROP_VIDEO_BITRATE,
  PROP_AUDIO_BITRATE,
  PROP_KEYFRAME_INTERVAL,
  PROP_STREAM_ID,
};

#define DEFAULT_VIDEO_BITRATE 2000
#define DEFAULT_AUDIO_BITRATE 64
#define DEFAULT_KEYFRAME_INTERVAL_MS 2000
#define DEFAULT_STREAM_ID "gst-resilient"


static GstStaticPadTemplate video_template =
GST_STATIC_PAD_TEMPLATE ("video_%u", GST_PAD_SINK, GST_PAD_REQUEST,
    GST_STATIC_CAPS ("video/x-raw(ANY); "
        "video/x-h264, stream-format=(string){ byte-stream, avc }; "
        "video/x-vp8"));
static GstStaticPadTemplate audio_template =
GST_STATIC_PAD_TEMPLATE ("audio_%u", GST_PAD_SINK, GST_PAD_REQUEST,
    GST_STATIC_CAPS ("audio/x-raw(ANY); audio/x-opus"));

struct Input
{
  bool video = true;
  GstPad *ghost = nullptr;
  GstElement *queue = nullptr;
  gulong probe = 0;
  bool built = false;
  std::atomic<bool> eos { false };
  std::vector<GstElement *> chain;
  std::string codec;          /* "H264", "VP8", "OPUS" */
  /* The payloader's sdes:mid header extension (a ref); its mid is set
   * once the offer has named the m-section. */
  GstRTPHeaderExtension *mid_ext = nullptr;
  /* The payloader's sink pad held (a blocking probe) until that mid is
   * set, so the first packets carry it too (a ref, and the probe id). */
  GstPad *held = nullptr;
  gulong hold_probe = 0;
};

struct WhipPrivate : WhipElementCommon
{
  /* settings besides the common ones */
  std::string video_codecs = DEFAULT_VIDEO_CODECS;
  unsigned video_bitrate = DEFAULT_VIDEO_BITRATE;
  unsigned audio_bitrate = DEFAULT_AUDIO_BITRATE;
  unsigned keyframe_interval_ms = DEFAULT_KEYFRAME_INTERVAL_MS;
  std::string stream_id = DEFAULT_STREAM_ID;

  /* state */
  GstElement *webrtc = nullptr;
  std::vector<std::unique_ptr<Input>> inputs;   /* lock */
  bool started = false;                          /* loop thread */
};

struct _GstResWhipSink
{
  GstBin parent;
  WhipPrivate *priv;
};

static WhipElementCommon &
whip_common (GstURIHandler *handler)
{
  return *GST_RES_WHIP_SINK (handler)->priv;
}

#define gst_res_whip_sink_parent_class parent_class
G_DEFINE_TYPE_WITH_CODE (GstResWhipSink, gst_res_whip_sink, GST_TYPE_BIN,
    G_IMPLEMENT_INTERFACE (GST_TYPE_URI_HANDLER,
        (whip_uri_handler_init<false, whip_common>)));
GST_ELEMENT_REGISTER_DEFINE (reswhipsink, "reswhipsink", GST_RANK_SECONDARY,
    GST_TYPE_RES_WHIP_SINK);

static GParamSpec *status_pspec = nullptr;

static void
set_status (GstResWhipSink *self, WebrtcStatus s)
{
  whip_set_status (GST_ELEMENT (self), *self->priv, s, status_pspec);
}

static void
report_failure (GstResWhipSink *self, const WhipFailure &f)
{
  std::string url;
  bool error;
  std::string text = whip_failure_report (GST_ELEMENT (self), *self->priv,
      "reswhipsink", f, false, url, error);
  /* The ERROR carries the classification too (a wrapper such as
   * autorestoresink reads it from the error's "details" structure, marked
   * by a reswhipsink-failure field). */
#define RESWHIPSINK_FAILURE_DETAILS \
  ("reswhipsink-failure", G_TYPE_BOOLEAN, TRUE, "fatal", G_TYPE_BOOLEAN, \
      f.severity == resilient::whip::Severity::Fatal, \
      "http-status", G_TYPE_INT, f.http_status, \
      "stage", G_TYPE_STRING, f.stage.c_str (), \
      "reason", G_TYPE_STRING, f.reason.c_str (), \
      "problem-title", G_TYPE_STRING, f.problem_title.c_str (), \
      "problem-detail", G_TYPE_STRING, f.problem_detail.c_str (), \
      "retry-after-ms", G_TYPE_INT64, (gint64) f.retry_after_ms, NULL)
  if (error)
    GST_ELEMENT_ERROR_WITH_DETAILS (self, RESOURCE, OPEN_WRITE,
        ("%s", text.c_str ()), ("endpoint %s", redact_uri (url).c_str ()),
        RESWHIPSINK_FAILURE_DETAILS);
  else
    GST_ELEMENT_WARNING_WITH_DETAILS (self, RESOURCE, OPEN_WRITE,
        ("%s", text.c_str ()), ("endpoint %s", redact_uri (url).c_str ()),
        RESWHIPSINK_FAILURE_DETAILS);
#undef RESWHIPSINK_FAILURE_DETAILS
}

/* Loop thread: every requested input has its chain; offer. */
static void
maybe_start_session (GstResWhipSink *self)
{
  auto *priv = self->priv;
  if (priv->started || !priv->client || !priv->webrtc)
    return;
  {
    std::lock_guard<std::mutex> g (priv->lock);
    if (priv->inputs.empty ())
      return;
    for (auto &in : priv->inputs)
      if (!in->built)
        return;
  }
  priv->started = true;
  priv->client->start (priv->webrtc);
}

/* Lets the payloader's input flow (priv->lock held or the input gone). */
static void
release_hold (Input *in)
{
  if (!in->held)
    return;
  gst_pad_remove_probe (in->held, in->hold_probe);
  gst_object_unref (in->held);
  in->held = nullptr;
  in->hold_probe = 0;
}

/* Our own MID extension on the payloader (its mid is only known once the
 * offer is made: set_offer_mids); the transport-wide-cc one the
 * payloader makes itself from the caps. The payloader's input is held
 * until then. */
static void
add_mid_extension (GstResWhipSink *self, Input *in, GstElement *bin)
{
  auto *priv = self->priv;
  GstElement *pay = gst_bin_get_by_name (GST_BIN (bin), "pay");
  if (!pay)
    return;
  GstRTPHeaderExtension *mid = gst_rtp_header_extension_create_from_uri (
      resilient::whip::kSdesMidUri);
  if (mid) {
    gst_rtp_header_extension_set_id (mid, EXT_ID_MID);
    g_signal_emit_by_name (pay, "add-extension", mid);
    GstPad *sink = gst_element_get_static_pad (pay, "sink");
    gulong probe = gst_pad_add_probe (sink, (GstPadProbeType) (
            GST_PAD_PROBE_TYPE_BLOCK | GST_PAD_PROBE_TYPE_BUFFER
            | GST_PAD_PROBE_TYPE_BUFFER_LIST), nullptr, nullptr, nullptr);
    std::lock_guard<std::mutex> g (priv->lock);
    gst_clear_object (&in->mid_ext);
    in->mid_ext = mid;
    release_hold (in);
    in->held = sink;
    in->hold_probe = probe;
  } else {
    GST_WARNING_OBJECT (
        self, "rtphdrextmid is missing (gst-plugins-good "
              ">= 1.22): the MID header extension is offered but not sent");
  }
  gst_object_unref (pay);
}

/* The input's queue -> `bin` -> a send-only transceiver of webrtcbin
 * preferring `rtp_caps`. */
static bool
link_chain (GstResWhipSink *self, Input *in, GstElement *bin,
    const std::string &rtp_caps, std::string &error)
{
  GstPad *qsrc = gst_element_get_static_pad (in->queue, "src");
  GstPad *bsink = gst_element_get_static_pad (bin, "sink");
  gst_pad_link (qsrc, bsink);
  gst_object_unref (qsrc);
  gst_object_unref (bsink);

  GstPad *wsink = gst_element_request_pad_simple (self->priv->webrtc,
      "sink_%u");
  GstPad *bsrc = gst_element_get_static_pad (bin, "src");
  GstCaps *pref = gst_caps_from_string (rtp_caps.c_str ());
  GstWebRTCRTPTransceiver *trans = nullptr;
  g_object_get (wsink, "transceiver", &trans, NULL);
  if (trans) {
    g_object_set (trans, "direction",
        GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDONLY, "codec-preferences",
        pref, NULL);
    if (in->video)
      g_object_set (trans, "do-nack", TRUE, NULL);
    gst_object_unref (trans);
  }
  gst_caps_unref (pref);
  GstPadLinkReturn lr = gst_pad_link (bsrc, wsink);
  gst_object_unref (bsrc);
  gst_object_unref (wsink);
  if (lr != GST_PAD_LINK_OK) {
    error = "could not link the " + in->codec + " payloader to webrtcbin";
    return false;
  }
  return true;
}

/* Loop thread: the payloaded branch for `caps`, linked to webrtcbin. */
static bool
build_chain (GstResWhipSink *self, Input *in, GstCaps *caps,
    std::string &error)
{
  WhipChainSettings settings;
  {
    std::lock_guard<std::mutex> g (self->priv->lock);
    settings.video_codecs = whip_codec_list (self->priv->video_codecs);
    settings.video_bitrate = self->priv->video_bitrate;
    settings.audio_bitrate = self->priv->audio_bitrate;
    settings.keyframe_interval_ms = self->priv->keyframe_interval_ms;
  }
  WhipChainPlan plan;
  if (!whip_plan_chain (caps, settings, plan, error))
    return false;
  in->codec = plan.codec;
  const std::string &desc = plan.desc, &rtp_caps = plan.rtp_caps;
  GError *err = nullptr;
  GstElement *bin = gst_parse_bin_from_description (desc.c_str (), TRUE, &err);
  if (!bin) {
    error = std::string ("could not build the encoder chain: ")
        + (err ? err->message : "?");
    g_clear_error (&err);
    return false;
  }
  gst_bin_add (GST_BIN (self), bin);
  in->chain.push_back (GST_ELEMENT (gst_object_ref (bin)));
  add_mid_extension (self, in, bin);
  if (!link_chain (self, in, bin, rtp_caps, error))
    return false;
  gst_element_sync_state_with_parent (bin);
  GST_INFO_OBJECT (self, "%s input: %s", in->video ? "video" : "audio",
      in->codec.c_str ());
  return true;
}

struct ProbeCtx
{
  GstResWhipSink *self;
  Input *in;
};

static GstPadProbeReturn
caps_block_probe (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  auto *ctx = static_cast<ProbeCtx *> (user_data);
  GstEvent *ev = GST_PAD_PROBE_INFO_EVENT (info);
  if (!(GST_PAD_PROBE_INFO_TYPE (info) & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM)
      || !ev || GST_EVENT_TYPE (ev) != GST_EVENT_CAPS)
    return GST_PAD_PROBE_PASS;
  GstResWhipSink *self = ctx->self;
  Input *in = ctx->in;
  GstCaps *caps = nullptr;
  gst_event_parse_caps (ev, &caps);
  caps = gst_caps_ref (caps);
  gulong id = GST_PAD_PROBE_INFO_ID (info);
  GstPad *ref = GST_PAD (gst_object_ref (pad));
  bool posted = self->priv->loop->post ([self, in, caps, id, ref] {
    auto *priv = self->priv;
    if (!in->built) {
      std::string error;
      if (!priv->webrtc || !build_chain (self, in, caps, error)) {
        if (error.empty ())
          error = "not running";
        GST_ELEMENT_ERROR (self, STREAM, FORMAT, ("%s", error.c_str ()),
            (nullptr));
      } else {
        in->built = true;
      }
    }
    gst_caps_unref (caps);
    gst_pad_remove_probe (ref, id);
    gst_object_unref (ref);
    maybe_start_session (self);
  });
  if (!posted) {
    gst_caps_unref (caps);
    gst_object_unref (ref);
    return GST_PAD_PROBE_DROP;
  }
  return GST_PAD_PROBE_OK;   /* blocked */
}

/* Blocks the input's queue output until its caps are known (then the
 * chain is built for them). */
static void
arm_caps_probe (GstResWhipSink *self, Input *in)
{
  GstPad *qsrc = gst_element_get_static_pad (in->queue, "src");
  auto *ctx = new ProbeCtx { self, in };
  in->probe = gst_pad_add_probe (qsrc, (GstPadProbeType)
      (GST_PAD_PROBE_TYPE_BLOCK | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM),
      caps_block_probe, ctx, [] (gpointer d) {
        delete static_cast<ProbeCtx *> (d);
      });
  gst_object_unref (qsrc);
}

/* EOS on every input: the publication is over. webrtcbin never posts EOS
 * (its transport stays up), so the bin posts it for the pipeline. */
static GstPadProbeReturn
eos_probe (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  auto *ctx = static_cast<ProbeCtx *> (user_data);
  GstEvent *ev = GST_PAD_PROBE_INFO_EVENT (info);
  if (!ev)
    return GST_PAD_PROBE_OK;
  if (GST_EVENT_TYPE (ev) == GST_EVENT_FLUSH_STOP) {
    ctx->in->eos = false;
    return GST_PAD_PROBE_OK;
  }
  if (GST_EVENT_TYPE (ev) != GST_EVENT_EOS)
    return GST_PAD_PROBE_OK;
  GstResWhipSink *self = ctx->self;
  bool all = true;
  {
    std::lock_guard<std::mutex> g (self->priv->lock);
    ctx->in->eos = true;
    for (auto &in : self->priv->inputs)
      all &= in->eos.load ();
  }
  if (all) {
    GST_INFO_OBJECT (self, "EOS on every input");
    GstMessage *m = gst_message_new_eos (GST_OBJECT (self));
    gst_message_set_seqnum (m, gst_event_get_seqnum (ev));
    gst_element_post_message (GST_ELEMENT (self), m);
  }
  return GST_PAD_PROBE_OK;
}

static GstPad *
gst_res_whip_sink_request_new_pad (GstElement *element, GstPadTemplate *templ,
    const gchar *name, const GstCaps *caps)
{
  auto *self = GST_RES_WHIP_SINK (element);
  auto *priv = self->priv;
  bool video = g_str_has_prefix (GST_PAD_TEMPLATE_NAME_TEMPLATE (templ),
      "video");
  if (GST_STATE (self) > GST_STATE_READY) {
    GST_WARNING_OBJECT (self, "pads can only be requested before PAUSED "
        "(no renegotiation after the POST)");
    return nullptr;
  }
  std::string pad_name;
  Input *in;
  {
    std::lock_guard<std::mutex> g (priv->lock);
    for (auto &i : priv->inputs)
      if (i->video == video) {
        GST_WARNING_OBJECT (self, "WHIP carries one %s track only",
            video ? "video" : "audio");
        return nullptr;
      }
    priv->inputs.push_back (std::make_unique<Input> ());
    in = priv->inputs.back ().get ();
    in->video = video;
    pad_name = video ? "video_0" : "audio_0";
  }
  /* a ref of our own: GstBin's dispose drops its children before GstElement
   * releases the request pads */
  in->queue = GST_ELEMENT (gst_object_ref_sink (gst_element_factory_make (
              "queue", nullptr)));
  /* a live publisher never waits: old data goes while negotiating */
  g_object_set (in->queue, "leaky", 2, "max-size-buffers", 0,
      "max-size-bytes", 0, "max-size-time", (guint64) GST_SECOND, NULL);
  gst_bin_add (GST_BIN (self), in->queue);
  gst_element_sync_state_with_parent (in->queue);
  GstPad *qsink = gst_element_get_static_pad (in->queue, "sink");
  arm_caps_probe (self, in);
  gst_pad_add_probe (qsink, GST_PAD_PROBE_TYPE_EVENT_BOTH, eos_probe,
      new ProbeCtx { self, in }, [] (gpointer d) {
        delete static_cast<ProbeCtx *> (d);
      });
  in->ghost = gst_ghost_pad_new_from_template (pad_name.c_str (), qsink, templ);
  gst_object_unref (qsink);
  gst_pad_set_active (in->ghost, TRUE);
  gst_element_add_pad (element, in->ghost);
  return in->ghost;
}

static void
gst_res_whip_sink_release_pad (GstElement *element, GstPad *pad)
{
  auto *self = GST_RES_WHIP_SINK (element);
  auto *priv = self->priv;
  std::unique_ptr<Input> in;
  {
    std::lock_guard<std::mutex> g (priv->lock);
    for (auto it = priv->inputs.begin (); it != priv->inputs.end (); ++it)
      if ((*it)->ghost == pad) {
        in = std::move (*it);
        priv->inputs.erase (it);
        break;
      }
  }
  if (!in)
    return;
  gst_pad_set_active (pad, FALSE);
  gst_element_remove_pad (element, pad);
  gst_clear_object (&in->mid_ext);
  release_hold (in.get ());
  for (GstElement *e : in->chain) {
    if (GST_OBJECT_PARENT (e) == GST_OBJECT (self)) {
      gst_element_set_locked_state (e, TRUE);
      gst_element_set_state (e, GST_STATE_NULL);
      gst_bin_remove (GST_BIN (self), e);
    }
    gst_object_unref (e);
  }
  if (GST_OBJECT_PARENT (in->queue) == GST_OBJECT (self)) {
    gst_element_set_locked_state (in->queue, TRUE);
    gst_element_set_state (in->queue, GST_STATE_NULL);
    gst_bin_remove (GST_BIN (self), in->queue);
  }
  gst_object_unref (in->queue);
}

/* Loop thread: the offer names each m-section; the payloaders' MID header
 * extensions write that name from now on (one audio and one video track at
 * most, so the kind finds the m-section). */
static void
set_offer_mids (GstResWhipSink *self, const std::string &sdp)
{
  auto parsed = resilient::whip::Sdp::parse (sdp);
  if (!parsed)
    return;
  std::vector<std::pair<GstRTPHeaderExtension *, std::string>> todo;
  std::vector<std::pair<GstPad *, gulong>> holds;
  {
    std::lock_guard<std::mutex> g (self->priv->lock);
    for (auto &in : self->priv->inputs) {
      if (!in->mid_ext)
        continue;
      for (auto &m : parsed->media)
        if (m.kind () == (in->video ? "video" : "audio") && !m.mid ().empty ())
          todo.emplace_back (
              GST_RTP_HEADER_EXTENSION (gst_object_ref (in->mid_ext)),
              m.mid ());
      if (in->held)
        holds.emplace_back (in->held, in->hold_probe);
      in->held = nullptr;
      in->hold_probe = 0;
    }
  }
  for (auto &[ext, mid] : todo) {
    GST_DEBUG_OBJECT (self, "MID header extension: %s", mid.c_str ());
    g_object_set (ext, "mid", mid.c_str (), NULL);
    gst_object_unref (ext);
  }
  /* the payloaders go on, every packet named */
  for (auto &[pad, probe] : holds) {
    gst_pad_remove_probe (pad, probe);
    gst_object_unref (pad);
  }
}

static bool
start (GstResWhipSink *self)
{
  auto *priv = self->priv;
  WhipClientConfig config;
  std::string error;
  {
    std::lock_guard<std::mutex> g (priv->lock);
    if (!whip_make_config (priv->settings, false, config, error)) {
      GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS, ("%s", error.c_str ()),
          (nullptr));
      return false;
    }
    config.stream_id = priv->stream_id;
    config.remembered_ice_servers = priv->remembered_ice_servers;
    if (priv->inputs.empty ()) {
      GST_ELEMENT_ERROR (self, CORE, PAD, ("nothing to publish: link a "
              "video_%%u or audio_%%u pad"), (nullptr));
      return false;
    }
  }
  GstElement *webrtc = gst_element_factory_make ("webrtcbin", nullptr);
  if (!webrtc) {
    GST_ELEMENT_ERROR (self, CORE, MISSING_PLUGIN,
        ("webrtcbin is missing (gst-plugins-bad)"), (nullptr));
    return false;
  }
  gst_bin_add (GST_BIN (self), webrtc);
  /* webrtcbin answers create-offer only once its thread runs (READY);
   * the bin itself may still be on its way up */
  gst_element_sync_state_with_parent (webrtc);
  priv->webrtc = webrtc;
  priv->started = false;
  {
    std::lock_guard<std::mutex> g (priv->lock);
    for (auto &in : priv->inputs)
      in->eos = false;
  }
  priv->loop->start ();

  WhipClient::Hooks hooks;
  hooks.on_status = [self] (WebrtcStatus s) { set_status (self, s); };
  hooks.on_failure = [self] (const WhipFailure &f) {
    report_failure (self, f);
  };
  hooks.on_local_offer
      = [self] (const std::string &sdp) { set_offer_mids (self, sdp); };
  auto client = whip_make_client (GST_ELEMENT (self), *priv, "reswhipsink",
      config, hooks);
  GST_INFO_OBJECT (self, "publishing to %s (%s)", redact_uri (
          config.endpoint).c_str (), config.token.empty () ? "no token" :
      "bearer token");
  /* the offer goes out once every input knows its caps */
  priv->loop->post ([self] { maybe_start_session (self); });
  return true;
}

static void
cleanup (GstResWhipSink *self)
{
  auto *priv = self->priv;
  std::vector<Input *> inputs;
  {
    std::lock_guard<std::mutex> g (priv->lock);
    for (auto &in : priv->inputs)
      inputs.push_back (in.get ());
  }
  for (Input *in : inputs) {
    for (GstElement *e : in->chain) {
      gst_element_set_locked_state (e, TRUE);
      gst_element_set_state (e, GST_STATE_NULL);
      gst_bin_remove (GST_BIN (self), e);
      gst_object_unref (e);
    }
    in->chain.clear ();
    {
      std::lock_guard<std::mutex> g (priv->lock);
      gst_clear_object (&in->mid_ext);
      release_hold (in);
    }
    if (in->built) {
      /* ready for caps again on the next start */
      in->built = false;
      arm_caps_probe (self, in);
    }
  }
  if (priv->webrtc) {
    gst_element_set_locked_state (priv->webrtc, TRUE);
    gst_element_set_state (priv->webrtc, GST_STATE_NULL);
    gst_bin_remove (GST_BIN (self), priv->webrtc);
    priv->webrtc = nullptr;
  }
}

static GstStateChangeReturn
gst_res_whip_sink_change_state (GstElement *element,
    GstStateChange transition)
{
  auto *self = GST_RES_WHIP_SINK (element);
  GstStateChangeReturn ret;

  if (!whip_change_state_before (element, *self->priv, transition, false,
          status_pspec,
          [] (GstElement *e) { return start (GST_RES_WHIP_SINK (e)); },
          [] (GstElement *e) { cleanup (GST_RES_WHIP_SINK (e)); }))
    return GST_STATE_CHANGE_FAILURE;

  ret = GST_ELEMENT_CLASS (parent_class)->change_state (element, transition);
  if (ret == GST_STATE_CHANGE_FAILURE)
    return ret;

  if (transition == GST_STATE_CHANGE_PAUSED_TO_READY) {
    cleanup (self);
    whip_set_stopped (element, *self->priv, status_pspec);
  }
  return ret;
}

/* ---- properties ---- */

static void
gst_res_whip_sink_set_property (GObject *object, guint prop_id,
    const GValue *value, GParamSpec *pspec)
{
  auto *self = GST_RES_WHIP_SINK (object);
  auto *priv = self->priv;
  std::lock_guard<std::mutex> g (priv->lock);
  if (whip_common_set_property (*priv, prop_id, value, false))
    return;
  switch (prop_id) {
    case PROP_VIDEO_CODECS: {
      const char *v = g_value_get_string (value);
      priv->video_codecs = v && *v ? v : DEFAULT_VIDEO_CODECS;
      break;
    }
    case PROP_VIDEO_BITRATE:
      priv->video_bitrate = g_value_get_uint (value);
      break;
    case PROP_AUDIO_BITRATE:
      priv->audio_bitrate = g_value_get_uint (value);
      break;
    case PROP_KEYFRAME_INTERVAL:
      priv->keyframe_interval_ms = g_value_get_uint (value);
      break;
    case PROP_STREAM_ID: {
      const char *v = g_value_get_string (value);
      priv->stream_id = v && *v ? v : DEFAULT_STREAM_ID;
      break;
    }
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

static void
gst_res_whip_sink_get_property (GObject *object, guint prop_id,
    GValue *value, GParamSpec *pspec)
{
  auto *self = GST_RES_WHIP_SINK (object);
  auto *priv = self->priv;
  if (whip_common_get_property (*priv, prop_id, value, "reswhipsink", -1))
    return;
  std::lock_guard<std::mutex> g (priv->lock);
  switch (prop_id) {
    case PROP_VIDEO_CODECS:
      g_value_set_string (value, priv->video_codecs.c_str ());
      break;
    case PROP_VIDEO_BITRATE:
      g_value_set_uint (value, priv->video_bitrate);
      break;
    case PROP_AUDIO_BITRATE:
      g_value_set_uint (value, priv->audio_bitrate);
      break;
    case PROP_KEYFRAME_INTERVAL:
      g_value_set_uint (value, priv->keyframe_interval_ms);
      break;
    case PROP_STREAM_ID:
      g_value_set_string (value, priv->stream_id.c_str ());
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

/* ---- GObject ---- */

static void
gst_res_whip_sink_finalize (GObject *object)
{
  auto *self = GST_RES_WHIP_SINK (object);
  whip_element_finalize (*self->priv);
  for (auto &in : self->priv->inputs) {
    for (GstElement *e : in->chain)
      gst_object_unref (e);
    if (in->queue)
      gst_object_unref (in->queue);
    gst_clear_object (&in->mid_ext);
    release_hold (in.get ());
  }
  delete self->priv;
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_res_whip_sink_init (GstResWhipSink *self)
{
  self->priv = new WhipPrivate ();
  whip_element_init (GST_ELEMENT (self), *self->priv, "reswhipsink", false);
}

static void
gst_res_whip_sink_class_init (GstResWhipSinkClass *klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);

  GST_DEBUG_CATEGORY_INIT (res_whip_sink_debug, "reswhipsink", 0,
      "gst-resilient WHIP publishing sink");

  gobject_class->set_property = gst_res_whip_sink_set_property;
  gobject_class->get_property = gst_res_whip_sink_get_property;
  gobject_class->finalize = gst_res_whip_sink_finalize;

  status_pspec = whip_install_properties (gobject_class, false);

  const GParamFlags rw = (GParamFlags) (G_PARAM_READWRITE
      | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY);
  g_object_class_install_property (gobject_class, PROP_VIDEO_CODECS,
      g_param_spec_string ("video-codecs", "Video codecs",
          "Comma-separated video codecs to encode raw video with, in order "
          "of preference (h264, vp8); the first with an encoder installed "
          "wins.", DEFAULT_VIDEO_CODECS, rw));
  g_object_class_install_property (gobject_class, PROP_VIDEO_BITRATE,
      g_param_spec_uint ("video-bitrate", "Video bitrate",
          "Target bitrate of the video encoder in kbit/s (raw input only).",
          16, 100000, DEFAULT_VIDEO_BITRATE, rw));
  g_object_class_install_property (gobject_class, PROP_AUDIO_BITRATE,
      g_param_spec_uint ("audio-bitrate", "Audio bitrate",
          "Target bitrate of the Opus encoder in kbit/s (raw input only).",
          6, 510, DEFAULT_AUDIO_BITRATE, rw));
  g_object_class_install_property (gobject_class, PROP_KEYFRAME_INTERVAL,
      g_param_spec_uint ("keyframe-interval", "Keyframe interval",
          "Longest time between two video keyframes, in milliseconds (raw "
          "input only).", 100, 60000, DEFAULT_KEYFRAME_INTERVAL_MS, rw));
  g_object_class_install_property (gobject_class, PROP_STREAM_ID,
      g_param_spec_string ("stream-id", "Stream id",
          "Media stream id written as the a=msid of every m-section of the "
          "offer; empty means gst-resilient.", DEFAULT_STREAM_ID, rw));

  element_class->change_state = gst_res_whip_sink_change_state;
  element_class->request_new_pad = gst_res_whip_sink_request_new_pad;
  element_class->release_pad = gst_res_whip_sink_release_pad;
  gst_element_class_add_static_pad_template (element_class, &video_template);
  gst_element_class_add_static_pad_template (element_class, &audio_template);
  gst_element_class_set_static_metadata (element_class,
      "WHIP publishing sink", "Sink/Network",
      "Publishes audio and video to a WHIP endpoint over WebRTC (webrtcbin), "
      "encoding raw input", "gst-resilient");
}
