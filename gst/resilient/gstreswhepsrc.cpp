/* gst-resilient: reswhepsrc
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
/**
 * SECTION:element-reswhepsrc
 * @title: reswhepsrc
 *
 * Plays a WHEP (WebRTC-HTTP egress) endpoint: offers every codec this
 * machine can decode, receive-only, over webrtcbin, and exposes one
 * sometimes pad per received medium, `video_%u` and `audio_%u`: raw video
 * and audio by default, or what the `caps` property asks for (encoded
 * caps stop decoding early, application/x-rtp gives the RTP stream).
 *
 * It is a URI handler for whep:// (HTTP) and wheps:// (HTTPS), so playbin,
 * uridecodebin and gst-play-1.0 play WHEP with no code:
 *
 * |[
 * gst-play-1.0 wheps://example.com/whep/cam1
 * gst-launch-1.0 reswhepsrc uri=whep://127.0.0.1:8889/cam/whep name=s \
 *     s.video_0 ! videoconvert ! autovideosink
 * ]|
 *
 * Failures are posted as `reswhepsrc-failure` element messages, classified
 * fatal or transient with the HTTP status and the server's problem detail,
 * then as an ERROR (or a WARNING with error-on-failure=false). The element
 * never retries on its own. See docs/elements/reswhepsrc.md.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstreswhepsrc.h"

#include "elements.h"
#include "common/controlloop.h"
#include "common/jitterstart.h"
#include "common/rtcpcount.h"
#include "common/messages.h"
#include "common/whipelement.h"
#include "common/whipreceivecaps.h"
#include "resilient/core/codec.h"
#include "resilient/whip/sdp.h"

#include <gst/webrtc/webrtc.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>
#include <sstream>
#include <vector>

GST_DEBUG_CATEGORY_STATIC (res_whep_src_debug);
#define GST_CAT_DEFAULT res_whep_src_debug

using namespace resilient::gst;
using resilient::Codec;
using resilient::CodecInfo;
using resilient::codec_by_name;
using resilient::codec_info;

/* Lock order: priv->lock, then the ControlLoop's internal lock. Nothing is
 * posted, notified or state-changed with priv->lock held. */

enum {
  PROP_CAPS = PROP_WHIP_COMMON_LAST,
  PROP_AUDIO,
  PROP_VIDEO,
  PROP_LATENCY,
  PROP_VIDEO_CODECS,
  PROP_AUDIO_CODECS,
};

#define DEFAULT_CAPS "video/x-raw(ANY); audio/x-raw(ANY)"
#define DEFAULT_AUDIO TRUE
#define DEFAULT_VIDEO TRUE
/* webrtcbin's own default: enough reordering room on the open internet */
#define DEFAULT_LATENCY_MS 200
/* H264 first: what WHIP publishers (OBS, browsers' hardware encoders,
 * reswhipsink) mostly send and WHEP servers relay as is, and the cheapest
 * to decode; then VP8 and VP9. A server relaying one codec answers with it
 * wherever it stands in the list; only a sender that encodes per viewer
 * and follows the offer's order (a browser) needs another order. */
#define DEFAULT_VIDEO_CODECS "h264,vp8,vp9"
#define DEFAULT_AUDIO_CODECS "opus,pcmu,pcma"

static GstStaticPadTemplate video_template =
GST_STATIC_PAD_TEMPLATE ("video_%u", GST_PAD_SRC, GST_PAD_SOMETIMES,
    GST_STATIC_CAPS_ANY);
static GstStaticPadTemplate audio_template =
GST_STATIC_PAD_TEMPLATE ("audio_%u", GST_PAD_SRC, GST_PAD_SOMETIMES,
    GST_STATIC_CAPS_ANY);

struct WhepPrivate : WhipElementCommon
{
  /* settings besides the common ones */
  GstCaps *caps = nullptr;
  bool audio = DEFAULT_AUDIO;
  bool video = DEFAULT_VIDEO;
  unsigned latency_ms = DEFAULT_LATENCY_MS;
  std::string video_codecs = DEFAULT_VIDEO_CODECS;
  std::string audio_codecs = DEFAULT_AUDIO_CODECS;

  /* state, loop thread */
  GstElement *webrtc = nullptr;
  std::vector<GstElement *> children;     /* decodebins */
  std::vector<GstPad *> ghosts;
  GstCaps *run_caps = nullptr;
  bool output_rtp = false;
  unsigned video_pads = 0;
  unsigned audio_pads = 0;
  bool no_more_pads = false;
  gint64 started_us = 0;
  std::atomic<gint64> first_media_ms { -1 };
  std::atomic<std::uint64_t> media_buffers { 0 };
};

struct _GstResWhepSrc
{
  GstBin parent;
  WhepPrivate *priv;
};

static WhipElementCommon &
whip_common (GstURIHandler *handler)
{
  return *GST_RES_WHEP_SRC (handler)->priv;
}

#define gst_res_whep_src_parent_class parent_class
G_DEFINE_TYPE_WITH_CODE (GstResWhepSrc, gst_res_whep_src, GST_TYPE_BIN,
    G_IMPLEMENT_INTERFACE (GST_TYPE_URI_HANDLER,
        (whip_uri_handler_init<true, whip_common>)));
GST_ELEMENT_REGISTER_DEFINE (reswhepsrc, "reswhepsrc", GST_RANK_PRIMARY,
    GST_TYPE_RES_WHEP_SRC);

static GParamSpec *status_pspec = nullptr;

/* ---- helpers ---- */

static void
set_status (GstResWhepSrc *self, WebrtcStatus s)
{
  whip_set_status (GST_ELEMENT (self), *self->priv, s, status_pspec);
}

static GstPadProbeReturn
first_media_probe (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  auto *self = GST_RES_WHEP_SRC (user_data);
  auto *priv = self->priv;
  gint64 ms = (g_get_monotonic_time () - priv->started_us) / 1000;
  gint64 expected = -1;
  if (priv->first_media_ms.compare_exchange_strong (expected, ms)) {
    GST_INFO_OBJECT (self, "first media on %s after %" G_GINT64_FORMAT " ms",
        GST_PAD_NAME (pad), ms);
    post_element_message (GST_ELEMENT (self), gst_structure_new (
            "reswhepsrc-first-media", "pad", G_TYPE_STRING,
            GST_PAD_NAME (pad), "first-media-ms", G_TYPE_INT64, ms, NULL));
  }
  return GST_PAD_PROBE_REMOVE;
}

/* Loop thread: expose `pad` (a decodebin or webrtcbin src pad) as a ghost. */
static void
expose_pad (GstResWhepSrc *self, GstPad *pad)
{
  auto *priv = self->priv;
  GstCaps *caps = gst_pad_get_current_caps (pad);
  if (!caps)
    caps = gst_pad_query_caps (pad, nullptr);
  bool video = true;
  if (caps && !gst_caps_is_empty (caps)) {
    const GstStructure *s = gst_caps_get_structure (caps, 0);
    const char *name = gst_structure_get_name (s);
    if (g_str_has_prefix (name, "audio/"))
      video = false;
    else if (g_str_equal (name, "application/x-rtp"))
      video = g_strcmp0 (gst_structure_get_string (s, "media"), "audio") != 0;
  }
  if (caps)
    gst_caps_unref (caps);
  std::string name;
  {
    std::lock_guard<std::mutex> g (priv->lock);
    name = video ? "video_" + std::to_string (priv->video_pads++) :
        "audio_" + std::to_string (priv->audio_pads++);
  }
  GstPadTemplate *tmpl = gst_element_class_get_pad_template (
      GST_ELEMENT_GET_CLASS (self), video ? "video_%u" : "audio_%u");
  GstPad *ghost = gst_ghost_pad_new_from_template (name.c_str (), pad, tmpl);
  gst_pad_set_active (ghost, TRUE);
  gst_pad_add_probe (ghost, GST_PAD_PROBE_TYPE_BUFFER, first_media_probe,
      self, nullptr);
  gst_pad_add_probe (ghost, (GstPadProbeType) (GST_PAD_PROBE_TYPE_BUFFER
          | GST_PAD_PROBE_TYPE_BUFFER_LIST), [] (GstPad *, GstPadProbeInfo *,
          gpointer d) {
        static_cast<std::atomic<std::uint64_t> *> (d)->fetch_add (1);
        return GST_PAD_PROBE_OK;
      }, &priv->media_buffers, nullptr);
  /* A pad the application leaves unlinked (a video-only pipeline) drops
   * its buffers: its not-linked would otherwise travel up through
   * webrtcbin to the one bundled transport and stop every stream. */
  gst_pad_add_probe (ghost, (GstPadProbeType) (GST_PAD_PROBE_TYPE_BUFFER
          | GST_PAD_PROBE_TYPE_BUFFER_LIST), [] (GstPad *p, GstPadProbeInfo *,
          gpointer) {
        return gst_pad_is_linked (p) ? GST_PAD_PROBE_OK : GST_PAD_PROBE_DROP;
      }, nullptr, nullptr);
  priv->ghosts.push_back (ghost);
  gst_element_add_pad (GST_ELEMENT (self), ghost);
  GST_DEBUG_OBJECT (self, "exposed %s", name.c_str ());

  /* every usable m-line has its pad: tell playbin / uridecodebin */
  std::size_t expected = priv->client ? priv->client->active_media ().size () :
      0;
  if (!priv->no_more_pads && expected && priv->ghosts.size () >= expected) {
    priv->no_more_pads = true;
    gst_element_no_more_pads (GST_ELEMENT (self));
  }
}

static GstPadProbeReturn
hold_probe (GstPad *, GstPadProbeInfo *, gpointer)
{
  return GST_PAD_PROBE_OK;   /* stays blocked until removed */
}

struct PadTask
{
  GstResWhepSrc *self;
  GstPad *pad;
  gulong probe;
};

static void
on_decoded_pad (GstElement *, GstPad *pad, gpointer user_data)
{
  auto *self = GST_RES_WHEP_SRC (user_data);
  gulong probe = gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BLOCK_DOWNSTREAM,
      hold_probe, nullptr, nullptr);
  GstPad *ref = GST_PAD (gst_object_ref (pad));
  ControlLoop *loop = self->priv->loop.get ();
  if (!loop->post ([self, ref, probe] {
        expose_pad (self, ref);
        gst_pad_remove_probe (ref, probe);
        gst_object_unref (ref);
      })) {
    gst_pad_remove_probe (ref, probe);
    gst_object_unref (ref);
  }
}

/* Loop thread: a webrtcbin src pad appeared. */
static void
handle_webrtc_pad (GstResWhepSrc *self, GstPad *pad)
{
  auto *priv = self->priv;
  if (priv->output_rtp) {
    expose_pad (self, pad);
    return;
  }
  GstElement *dec = gst_element_factory_make ("decodebin", nullptr);
  g_object_set (dec, "caps", priv->run_caps, NULL);
  g_signal_connect (dec, "pad-added", G_CALLBACK (on_decoded_pad), self);
  gst_bin_add (GST_BIN (self), dec);
  priv->children.push_back (dec);
  GstPad *sink = gst_element_get_static_pad (dec, "sink");
  if (gst_pad_link (pad, sink) != GST_PAD_LINK_OK)
    GST_WARNING_OBJECT (self, "could not link %s to a decoder",
        GST_PAD_NAME (pad));
  gst_object_unref (sink);
  gst_element_sync_state_with_parent (dec);
}

static void
on_webrtc_pad (GstElement *, GstPad *pad, gpointer user_data)
{
  auto *self = GST_RES_WHEP_SRC (user_data);
  if (GST_PAD_DIRECTION (pad) != GST_PAD_SRC)
    return;
  gulong probe = gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BLOCK_DOWNSTREAM,
      hold_probe, nullptr, nullptr);
  GstPad *ref = GST_PAD (gst_object_ref (pad));
  if (!self->priv->loop->post ([self, ref, probe] {
        handle_webrtc_pad (self, ref);
        gst_pad_remove_probe (ref, probe);
        gst_object_unref (ref);
      })) {
    gst_pad_remove_probe (ref, probe);
    gst_object_unref (ref);
  }
}

/* Loop thread (or the state change before the loop runs): a webrtcbin
 * with receive-only transceivers, in the bin. */
static GstElement *
make_webrtcbin (GstResWhepSrc *self, bool audio, bool video)
{
  auto *priv = self->priv;
  GstElement *webrtc = gst_element_factory_make ("webrtcbin", nullptr);
  if (!webrtc)
    return nullptr;
  unsigned latency;
  std::string vcodecs, acodecs;
  {
    std::lock_guard<std::mutex> g (priv->lock);
    latency = priv->latency_ms;
    vcodecs = priv->video_codecs;
    acodecs = priv->audio_codecs;
  }
  g_object_set (webrtc, "latency", latency, NULL);
  /* the first frame does not wait `latency` (a syncing sink still shows
   * it at its running time + the pipeline latency) */
  resilient::gst::start_jitterbuffers_early (webrtc);
  /* a server that judges its viewers by their RTCP drops a dead one in
   * seconds, not after rtpsession's 5 s rhythm times its allowance */
  resilient::gst::report_every_second (webrtc);
  auto add = [webrtc, &vcodecs, &acodecs] (const char *kind) {
    GstCaps *caps = whep_receive_caps (kind,
        g_str_equal (kind, "video") ? vcodecs : acodecs);
    if (gst_caps_is_empty (caps)) {
      gst_caps_unref (caps);
      return false;
    }
    GstWebRTCRTPTransceiver *t = nullptr;
    g_signal_emit_by_name (webrtc, "add-transceiver",
        GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_RECVONLY, caps, &t);
    if (t) {
      if (g_str_equal (kind, "video"))
        g_object_set (t, "do-nack", TRUE, NULL);
      gst_object_unref (t);
    }
    gst_caps_unref (caps);
    return true;
  };
  if (video)
    add ("video");
  if (audio)
    add ("audio");
  g_signal_connect (webrtc, "pad-added", G_CALLBACK (on_webrtc_pad), self);
  gst_bin_add (GST_BIN (self), webrtc);
  /* webrtcbin answers create-offer only once its thread runs (READY);
   * the bin itself may still be on its way up */
  gst_element_sync_state_with_parent (webrtc);
  priv->webrtc = webrtc;
  return webrtc;
}

static void
report_failure (GstResWhepSrc *self, const WhipFailure &f)
{
  std::string url;
  bool error;
  std::string text = whip_failure_report (GST_ELEMENT (self), *self->priv,
      "reswhepsrc", f, true, url, error);
  if (error)
    GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ, ("%s", text.c_str ()),
        ("endpoint %s", redact_uri (url).c_str ()));
  else
    GST_ELEMENT_WARNING (self, RESOURCE, OPEN_READ, ("%s", text.c_str ()),
        ("endpoint %s", redact_uri (url).c_str ()));
}

/* What the session's client reports to the element, and how it gets a
 * fresh webrtcbin for a 406 counter-offer (the old one removed). */
static WhipClient::Hooks
client_hooks (GstResWhepSrc *self, bool audio, bool video)
{
  WhipClient::Hooks hooks;
  hooks.on_status = [self] (WebrtcStatus s) { set_status (self, s); };
  hooks.on_failure = [self] (const WhipFailure &f) {
    report_failure (self, f);
  };
  hooks.media_progress = [self] () -> std::uint64_t {
    return self->priv->media_buffers.load ();
  };
  hooks.fresh_webrtcbin = [self, audio, video] () -> GstElement * {
    auto *p = self->priv;
    if (p->webrtc) {
      GstElement *old = p->webrtc;
      p->webrtc = nullptr;
      gst_element_set_locked_state (old, TRUE);
      gst_element_set_state (old, GST_STATE_NULL);
      gst_bin_remove (GST_BIN (self), old);
    }
    GstElement *w = make_webrtcbin (self, audio, video);
    if (w)
      gst_element_sync_state_with_parent (w);
    return w;
  };
  return hooks;
}

static bool
start (GstResWhepSrc *self)
{
  auto *priv = self->priv;
  WhipClientConfig config;
  std::string error;
  bool audio, video;
  GstCaps *caps;
  {
    std::lock_guard<std::mutex> g (priv->lock);
    if (!whip_make_config (priv->settings, true, config, error)) {
      GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS, ("%s", error.c_str ()),
          (nullptr));
      return false;
    }
    audio = priv->audio;
    video = priv->video;
    if ((video
         && !whep_check_codecs ("video-codecs", priv->video_codecs, true, error))
        || (audio
            && !whep_check_codecs ("audio-codecs", priv->audio_codecs, false,
                              error))) {
      GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS, ("%s", error.c_str ()),
                         (nullptr));
      return false;
    }
    caps = priv->caps ? gst_caps_ref (priv->caps) :
        gst_caps_from_string (DEFAULT_CAPS);
  }
  if (!audio && !video) {
    gst_caps_unref (caps);
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
        ("audio and video are both disabled: nothing to play"), (nullptr));
    return false;
  }
  GstCaps *rtp = gst_caps_from_string ("application/x-rtp");
  priv->output_rtp = gst_caps_can_intersect (caps, rtp);
  gst_caps_unref (rtp);
  gst_caps_replace (&priv->run_caps, caps);
  gst_caps_unref (caps);
  priv->video_pads = priv->audio_pads = 0;
  priv->no_more_pads = false;
  priv->first_media_ms = -1;
  priv->media_buffers = 0;
  priv->started_us = g_get_monotonic_time ();
  config.remembered_ice_servers = priv->remembered_ice_servers;

  GstElement *webrtc = make_webrtcbin (self, audio, video);
  if (!webrtc) {
    GST_ELEMENT_ERROR (self, CORE, MISSING_PLUGIN,
        ("webrtcbin is missing (gst-plugins-bad)"), (nullptr));
    return false;
  }
  priv->loop->start ();

  auto client = whip_make_client (GST_ELEMENT (self), *priv, "reswhepsrc",
      config, client_hooks (self, audio, video));
  GST_INFO_OBJECT (self, "playing %s (%s)", redact_uri (config.endpoint)
      .c_str (), config.token.empty () ? "no token" : "bearer token");
  priv->loop->post ([client, webrtc] { client->start (webrtc); });
  return true;
}

static void
cleanup (GstResWhepSrc *self)
{
  auto *priv = self->priv;
  for (GstPad *g : priv->ghosts) {
    gst_pad_set_active (g, FALSE);
    gst_element_remove_pad (GST_ELEMENT (self), g);
  }
  priv->ghosts.clear ();
  auto drop = [self] (GstElement *e) {
    gst_element_set_locked_state (e, TRUE);
    gst_element_set_state (e, GST_STATE_NULL);
    gst_bin_remove (GST_BIN (self), e);
  };
  for (GstElement *e : priv->children)
    drop (e);
  priv->children.clear ();
  if (priv->webrtc) {
    drop (priv->webrtc);
    priv->webrtc = nullptr;
  }
  gst_caps_replace (&priv->run_caps, nullptr);
}

static GstStateChangeReturn
gst_res_whep_src_change_state (GstElement *element, GstStateChange transition)
{
  auto *self = GST_RES_WHEP_SRC (element);
  GstStateChangeReturn ret;

  if (!whip_change_state_before (element, *self->priv, transition, true,
          status_pspec,
          [] (GstElement *e) { return start (GST_RES_WHEP_SRC (e)); },
          [] (GstElement *e) { cleanup (GST_RES_WHEP_SRC (e)); }))
    return GST_STATE_CHANGE_FAILURE;

  ret = GST_ELEMENT_CLASS (parent_class)->change_state (element, transition);
  if (ret == GST_STATE_CHANGE_FAILURE)
    return ret;

  switch (transition) {
    case GST_STATE_CHANGE_READY_TO_PAUSED:
    case GST_STATE_CHANGE_PLAYING_TO_PAUSED:
      ret = GST_STATE_CHANGE_NO_PREROLL;
      break;
    case GST_STATE_CHANGE_PAUSED_TO_READY:
      cleanup (self);
      whip_set_stopped (element, *self->priv, status_pspec);
      break;
    default:
      break;
  }
  return ret;
}

/* ---- properties ---- */

static void
gst_res_whep_src_set_property (GObject *object, guint prop_id,
    const GValue *value, GParamSpec *pspec)
{
  auto *self = GST_RES_WHEP_SRC (object);
  auto *priv = self->priv;
  std::lock_guard<std::mutex> g (priv->lock);
  if (whip_common_set_property (*priv, prop_id, value, true))
    return;
  switch (prop_id) {
    case PROP_CAPS:
      gst_caps_replace (&priv->caps, (GstCaps *) gst_value_get_caps (value));
      break;
    case PROP_AUDIO:
      priv->audio = g_value_get_boolean (value);
      break;
    case PROP_VIDEO:
      priv->video = g_value_get_boolean (value);
      break;
    case PROP_LATENCY:
      priv->latency_ms = g_value_get_uint (value);
      break;
    case PROP_VIDEO_CODECS: {
      const char *v = g_value_get_string (value);
      priv->video_codecs = v ? v : DEFAULT_VIDEO_CODECS;
      break;
    }
    case PROP_AUDIO_CODECS: {
      const char *v = g_value_get_string (value);
      priv->audio_codecs = v ? v : DEFAULT_AUDIO_CODECS;
      break;
    }
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

static void
gst_res_whep_src_get_property (GObject *object, guint prop_id, GValue *value,
    GParamSpec *pspec)
{
  auto *self = GST_RES_WHEP_SRC (object);
  auto *priv = self->priv;
  if (whip_common_get_property (*priv, prop_id, value, "reswhepsrc",
          priv->first_media_ms.load ()))
    return;
  std::lock_guard<std::mutex> g (priv->lock);
  switch (prop_id) {
    case PROP_CAPS:
      gst_value_set_caps (value, priv->caps);
      break;
    case PROP_AUDIO:
      g_value_set_boolean (value, priv->audio);
      break;
    case PROP_VIDEO:
      g_value_set_boolean (value, priv->video);
      break;
    case PROP_LATENCY:
      g_value_set_uint (value, priv->latency_ms);
      break;
    case PROP_VIDEO_CODECS:
      g_value_set_string (value, priv->video_codecs.c_str ());
      break;
    case PROP_AUDIO_CODECS:
      g_value_set_string (value, priv->audio_codecs.c_str ());
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

/* ---- GObject ---- */

static void
gst_res_whep_src_finalize (GObject *object)
{
  auto *self = GST_RES_WHEP_SRC (object);
  auto *priv = self->priv;
  whip_element_finalize (*priv);
  gst_caps_replace (&priv->caps, nullptr);
  gst_caps_replace (&priv->run_caps, nullptr);
  delete priv;
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_res_whep_src_init (GstResWhepSrc *self)
{
  self->priv = new WhepPrivate ();
  whip_element_init (GST_ELEMENT (self), *self->priv, "reswhepsrc", true);
}

static void
gst_res_whep_src_class_init (GstResWhepSrcClass *klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);

  GST_DEBUG_CATEGORY_INIT (res_whep_src_debug, "reswhepsrc", 0,
      "gst-resilient WHEP playback source");

  gobject_class->set_property = gst_res_whep_src_set_property;
  gobject_class->get_property = gst_res_whep_src_get_property;
  gobject_class->finalize = gst_res_whep_src_finalize;

  status_pspec = whip_install_properties (gobject_class, true);

  const GParamFlags rw = (GParamFlags) (G_PARAM_READWRITE
      | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY);
  g_object_class_install_property (gobject_class, PROP_CAPS,
      g_param_spec_boxed ("caps", "Caps",
          "Caps the pads output, as for decodebin: raw audio and video by "
          "default, encoded caps to stop before decoding, application/x-rtp "
          "for the received RTP.", GST_TYPE_CAPS, rw));
  g_object_class_install_property (gobject_class, PROP_AUDIO,
      g_param_spec_boolean ("audio", "Audio",
          "Offer to receive an audio track.", DEFAULT_AUDIO, rw));
  g_object_class_install_property (gobject_class, PROP_VIDEO,
      g_param_spec_boolean ("video", "Video",
          "Offer to receive a video track.", DEFAULT_VIDEO, rw));

  g_object_class_install_property (gobject_class, PROP_LATENCY,
      g_param_spec_uint ("latency", "Latency",
          "Jitter buffer of the received streams, in milliseconds: room "
          "for reordering and retransmission, added to the delay.", 0,
          10000, DEFAULT_LATENCY_MS, rw));
  g_object_class_install_property (
      gobject_class, PROP_VIDEO_CODECS,
      g_param_spec_string (
          "video-codecs", "Video codecs",
          "Comma-separated video codecs to offer to receive, in order of "
          "preference (h264, vp8, vp9); codecs this machine cannot decode "
          "are left out. A sender that follows the offer's order sends the "
          "first it has.",
          DEFAULT_VIDEO_CODECS, rw));
  g_object_class_install_property (
      gobject_class, PROP_AUDIO_CODECS,
      g_param_spec_string (
          "audio-codecs", "Audio codecs",
          "Comma-separated audio codecs to offer to receive, in order of "
          "preference (opus, pcmu, pcma); codecs this machine cannot decode "
          "are left out.",
          DEFAULT_AUDIO_CODECS, rw));

  element_class->change_state = gst_res_whep_src_change_state;
  gst_element_class_add_static_pad_template (element_class, &video_template);
  gst_element_class_add_static_pad_template (element_class, &audio_template);
  gst_element_class_set_static_metadata (element_class,
      "WHEP playback source", "Source/Network",
      "Plays a WHEP endpoint over WebRTC (webrtcbin), raw or encoded output",
      "gst-resilient");
}
