/* gst-resilient: autorestoresink's publish front (publishfront.h) */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "resilient/core/textlist.h"
#include "restore/controller.h"
#include "restore/publishfront.h"

#include "common/codecs.h"

#include <gst/video/video.h>

#include <algorithm>
#include <condition_variable>
#include <cstring>

namespace resilient::gst::autorestore {

/* The always pads (also the element class's templates). */
GstStaticPadTemplate video_template = GST_STATIC_PAD_TEMPLATE (
    "video", GST_PAD_SINK, GST_PAD_ALWAYS,
    GST_STATIC_CAPS ("video/x-raw(ANY); video/x-h264; video/x-h265; "
                     "video/x-vp8"));

GstStaticPadTemplate audio_template = GST_STATIC_PAD_TEMPLATE (
    "audio", GST_PAD_SINK, GST_PAD_ALWAYS,
    GST_STATIC_CAPS ("audio/x-raw(ANY); audio/mpeg, mpegversion=(int)4; "
                     "audio/x-opus"));

/* Copies what the fronts produce into the statistics (loop only). */
void
sync_front_stats (GstAutoRestoreSink *self)
{
  auto *priv = self->priv;
  std::lock_guard<std::mutex> g (priv->lock);
  priv->stats.video_codec = priv->video.codec;
  priv->stats.video_encoder = priv->video.encoder_name;
  priv->stats.audio_codec = priv->audio.codec;
}

/* The codec's short name (the one codec table, resilient/core/codec.h);
 * for raw or unknown caps their structure name, which no transport takes. */
std::string
codec_name_of_caps (const GstCaps *caps)
{
  if (!caps || gst_caps_get_size (caps) == 0)
    return {};
  if (const CodecInfo *c = resilient::gst::codec_of_caps (caps))
    return c->name;
  return gst_structure_get_name (gst_caps_get_structure (caps, 0));
}

/* The codec an encoder factory produces, from its src pad template. */
std::string
codec_of_factory (const std::string &factory_name)
{
  GstElementFactory *f = gst_element_factory_find (factory_name.c_str ());
  if (!f)
    return {};
  std::string codec;
  for (const GList *l = gst_element_factory_get_static_pad_templates (f); l;
       l = l->next) {
    auto *t = static_cast<GstStaticPadTemplate *> (l->data);
    if (t->direction != GST_PAD_SRC)
      continue;
    GstCaps *caps = gst_static_pad_template_get_caps (t);
    codec = codec_name_of_caps (caps);
    gst_caps_unref (caps);
    break;
  }
  gst_object_unref (f);
  return codec;
}

const char *
parser_for_codec (const std::string &codec)
{
  const CodecInfo *c = codec_by_name (codec);
  return c ? c->parser : nullptr;
}

void
set_if_exists (GstElement *e, const char *prop, const char *value)
{
  if (g_object_class_find_property (G_OBJECT_GET_CLASS (e), prop))
    gst_util_set_object_arg (G_OBJECT (e), prop, value);
}

/* Applies bitrate (kbit/s) and keyframe interval (frames) in each known
 * encoder's own units. */
/* A destination is WHIP: H264 must be Constrained Baseline there (what
 * the offer's profile-level-id 42e01f announces and browsers decode). */
bool
publishes_whip (const std::string &locations)
{
  for (const char *scheme : { "whip://", "whips://", "http://", "https://" })
    if (locations.find (scheme) != std::string::npos)
      return true;
  return false;
}

void
configure_video_encoder (GstElement *enc, const std::string &factory,
                         guint kbps, guint gop_frames,
                         bool constrained_baseline)
{
  std::string k = std::to_string (kbps);
  std::string bps = std::to_string ((guint64)kbps * 1000);
  std::string g = std::to_string (gop_frames);
  if (factory == "x264enc") {
    set_if_exists (enc, "bitrate", k.c_str ());
    set_if_exists (enc, "key-int-max", g.c_str ());
    set_if_exists (enc, "tune", "zerolatency");
    set_if_exists (enc, "speed-preset", "veryfast");
    if (constrained_baseline)
      set_if_exists (enc, "option-string",
                     "weightp=0:cabac=0:8x8dct=0:bframes=0");
  } else if (factory == "vp8enc" || factory == "vp9enc") {
    set_if_exists (enc, "target-bitrate", bps.c_str ());
    set_if_exists (enc, "keyframe-max-dist", g.c_str ());
    set_if_exists (enc, "deadline", "1");
  } else if (factory == "openh264enc") {
    set_if_exists (enc, "bitrate", bps.c_str ());
    set_if_exists (enc, "gop-size", g.c_str ());
  } else {
    /* va, vaapi, nv, v4l2 and most others: kbit/s and key-int-max. */
    set_if_exists (enc, "bitrate", k.c_str ());
    set_if_exists (enc, "key-int-max", g.c_str ());
  }
}

void
configure_audio_encoder (GstElement *enc, guint kbps)
{
  GParamSpec *p
      = g_object_class_find_property (G_OBJECT_GET_CLASS (enc), "bitrate");
  if (!p)
    return;
  std::string bps = std::to_string ((guint64)kbps * 1000);
  gst_util_set_object_arg (G_OBJECT (enc), "bitrate", bps.c_str ());
}

/* ---------------------------------------------------- streaming side */

GstFlowReturn
on_new_sample (GstAppSink *sink, gpointer user_data)
{
  auto *self = GST_AUTO_RESTORE_SINK (user_data);
  auto *priv = self->priv;
  GstSample *sample = gst_app_sink_pull_sample (sink);
  if (!sample)
    return GST_FLOW_OK;
  Front &f
      = (GST_ELEMENT (sink) == priv->video.appsink) ? priv->video : priv->audio;
  GstBuffer *in = gst_sample_get_buffer (sample);
  const GstSegment *seg = gst_sample_get_segment (sample);
  GstCaps *caps = gst_sample_get_caps (sample);
  if (!in) {
    gst_sample_unref (sample);
    return GST_FLOW_OK;
  }
  /* Sessions use a 0-based segment: stamp the upstream running time. */
  GstBuffer *buf = gst_buffer_copy (in);
  if (seg && seg->format == GST_FORMAT_TIME) {
    guint64 rt;
    if (GST_BUFFER_PTS_IS_VALID (buf)) {
      if (gst_segment_to_running_time_full (seg, GST_FORMAT_TIME,
                                            GST_BUFFER_PTS (buf), &rt)
          > 0)
        GST_BUFFER_PTS (buf) = rt;
      else
        GST_BUFFER_PTS (buf) = 0;
    }
    if (GST_BUFFER_DTS_IS_VALID (buf)) {
      if (gst_segment_to_running_time_full (seg, GST_FORMAT_TIME,
                                            GST_BUFFER_DTS (buf), &rt)
          > 0)
        GST_BUFFER_DTS (buf) = rt;
      else
        GST_BUFFER_DTS (buf) = GST_CLOCK_TIME_NONE;
    }
  }
  const gsize size = gst_buffer_get_size (buf);
  f.bytes_in += size;
  f.buffers_in++;
  GstClockTime ts = GST_BUFFER_DTS_IS_VALID (buf) ? GST_BUFFER_DTS (buf)
                                                  : GST_BUFFER_PTS (buf);
  bool key
      = f.video && !GST_BUFFER_FLAG_IS_SET (buf, GST_BUFFER_FLAG_DELTA_UNIT);

  bool first_caps = false;
  {
    std::lock_guard<std::mutex> g (priv->lock);
    first_caps = caps && !f.caps;
    if (caps && (!f.caps || !gst_caps_is_equal (caps, f.caps))) {
      gst_caps_replace (&f.caps, caps);
      for (auto &s : priv->sessions)
        if (s->feeding)
          s->set_caps (f.video, caps);
    }
    for (auto &s : priv->sessions)
      if (s->feeding)
        s->push (f.video, buf);
    HeldQueue::Item item{ gst_buffer_ref (buf),
                          from_ns (GST_CLOCK_TIME_IS_VALID (ts) ? ts : 0), size,
                          key, f.video };
    priv->hold.push (std::move (item),
                     [] (GstBuffer *&b) { gst_buffer_unref (b); });
  }
  gst_buffer_unref (buf);
  gst_sample_unref (sample);
  if (first_caps) {
    /* The first encoded caps of this stream: a session can be built once
     * every linked stream has them. */
    priv->loop.post (
        [keep = SelfRef (self)] { maybe_start_publishing (keep.p); });
  }
  return GST_FLOW_OK;
}

void
on_appsink_eos (GstAppSink *sink, gpointer user_data)
{
  auto *self = GST_AUTO_RESTORE_SINK (user_data);
  bool video = GST_ELEMENT (sink) == self->priv->video.appsink;
  self->priv->loop.post ([keep = SelfRef (self), video] {
    keep.p->priv->drain.on_front_eos (video);
  });
}

/* -------------------------------------------- running encoder failures */

/* An encoder that fails after it started (an ERROR it posts, or an error
 * or not-negotiated flow return out of its chain) must not stop the
 * front: its flow error would pause the entry queue and reach upstream.
 * The encoder's sink pad chain function is wrapped: an error return is
 * turned into OK (the buffer is dropped) and from then on every buffer is
 * dropped until the loop has swapped the encoder out. The guard is the
 * pad's chain data and goes with the pad; the encoder element carries a
 * pointer to it (qdata) so that its ERROR messages are recognised. */
struct EncoderGuard
{
  GstAutoRestoreSink *self = nullptr; /* not reffed: the encoder is ours */
  GstPadChainFunction chain = nullptr;
  std::atomic<bool> tripped{ false };
};

GQuark
encoder_guard_quark (void)
{
  static GQuark q = g_quark_from_static_string ("autorestoresink-guard");
  return q;
}

/* First failure of a guarded encoder: hand it to the loop (any thread). */
void
trip_encoder_guard (EncoderGuard *g, GstElement *enc, const std::string &why)
{
  if (g->tripped.exchange (true))
    return;
  GstAutoRestoreSink *self = g->self;
  self->priv->loop.post ([keep = SelfRef (self),
                          e = resilient::gst::SelfRef<GstElement> (enc),
                          why] { on_encoder_failed (keep.p, e.p, why); });
}

GstFlowReturn
guarded_chain (GstPad *pad, GstObject *parent, GstBuffer *buf)
{
  auto *g = static_cast<EncoderGuard *> (pad->chaindata);
  if (g->tripped) {
    gst_buffer_unref (buf);
    return GST_FLOW_OK;
  }
  GstFlowReturn r = g->chain (pad, parent, buf);
  if (r <= GST_FLOW_NOT_NEGOTIATED) {
    trip_encoder_guard (g, GST_ELEMENT (parent),
                        std::string ("flow return '") + gst_flow_get_name (r)
                            + "'");
    return GST_FLOW_OK;
  }
  return r;
}

void
guard_encoder (GstAutoRestoreSink *self, GstElement *enc)
{
  GstPad *pad = gst_element_get_static_pad (enc, "sink");
  if (!pad)
    return;
  if (GST_PAD_CHAINFUNC (pad) && GST_PAD_CHAINFUNC (pad) != guarded_chain) {
    auto *g = new EncoderGuard ();
    g->self = self;
    g->chain = GST_PAD_CHAINFUNC (pad);
    g_object_set_qdata (G_OBJECT (enc), encoder_guard_quark (), g);
    gst_pad_set_chain_function_full (pad, guarded_chain, g, [] (gpointer p) {
      delete static_cast<EncoderGuard *> (p);
    });
  }
  gst_object_unref (pad);
}

/* The guarded encoder an object (a message source) belongs to. */
GstElement *
guarded_encoder_of (GstObject *obj, EncoderGuard **guard)
{
  for (GstObject *o = obj; o; o = GST_OBJECT_PARENT (o)) {
    if (!GST_IS_ELEMENT (o))
      continue;
    auto *g = static_cast<EncoderGuard *> (
        g_object_get_qdata (G_OBJECT (o), encoder_guard_quark ()));
    if (g) {
      *guard = g;
      return GST_ELEMENT (o);
    }
  }
  return nullptr;
}

/* -------------------------------------------------------- front build */

GstElement *
make_element (const char *factory, std::string &error)
{
  GstElement *e = gst_element_factory_make (factory, nullptr);
  if (!e && error.empty ())
    error = std::string ("element '") + factory
            + "' is missing: install the GStreamer plugin that provides it";
  return e;
}

/* Whether the candidate's encoder is installed. */
bool
encoder_available (const EncoderCandidate &c)
{
  GstElementFactory *f = gst_element_factory_find (c.factory.c_str ());
  if (f)
    gst_object_unref (f);
  return f != nullptr;
}

/* Creates the encoder for the chain's current candidate, trying the next
 * ones while a candidate fails to start. Returns null with `error` when
 * none works. Runs on the loop. */
GstElement *
make_working_video_encoder (GstAutoRestoreSink *self, GstCaps *in_caps,
                            std::string &factory, std::string &error)
{
  auto *priv = self->priv;
  gint fps_n = 30, fps_d = 1;
  if (in_caps && gst_caps_get_size (in_caps) > 0)
    gst_structure_get_fraction (gst_caps_get_structure (in_caps, 0),
                                "framerate", &fps_n, &fps_d);
  if (fps_n <= 0 || fps_d <= 0) {
    fps_n = 30;
    fps_d = 1;
  }
  guint gop
      = std::max<guint> (1, (guint)((guint64)priv->run.keyframe_interval_ms
                                    * fps_n / (1000 * fps_d)));
  priv->video.gop_frames = gop;
  auto available = encoder_available;
  std::optional<EncoderCandidate> cand = priv->chain->current ();
  if (!cand)
    cand = priv->chain->first (available);
  while (cand) {
    GstElement *enc
        = gst_element_factory_make (cand->factory.c_str (), nullptr);
    if (enc) {
      configure_video_encoder (enc, cand->factory, priv->run.video_bitrate, gop,
                               publishes_whip (priv->run.location));
      /* Open it on its own first: a hardware encoder without its device
       * fails here, before it is linked into the running front. */
      if (gst_element_set_state (enc, GST_STATE_PAUSED)
          != GST_STATE_CHANGE_FAILURE) {
        gst_element_set_state (enc, GST_STATE_NULL);
        factory = cand->factory;
        return enc;
      }
      gst_element_set_state (enc, GST_STATE_NULL);
      gst_object_unref (enc);
    }
    std::string failed = cand->factory;
    cand = priv->chain->on_start_failure (available);
    GST_WARNING_OBJECT (self, "video encoder %s failed to start, next: %s",
                        failed.c_str (),
                        cand ? cand->factory.c_str () : "none");
    {
      std::lock_guard<std::mutex> g (priv->lock);
      priv->stats.encoder_changes++;
    }
    post_event (self, "encoder-changed",
                gst_structure_new (
                    "x", "from", G_TYPE_STRING, failed.c_str (), "to",
                    G_TYPE_STRING, cand ? cand->factory.c_str () : "", "codec",
                    G_TYPE_STRING, cand ? cand->codec.c_str () : "", "reason",
                    G_TYPE_STRING, "failed-to-start", nullptr));
  }
  error = "no usable video encoder among '" + priv->run.video_encoder
          + "': install one (x264enc is in gstreamer1.0-plugins-ugly) or set "
            "video-encoder";
  return nullptr;
}

/* Builds the front of one stream behind its entry queue for `caps`.
 * Runs on the loop while the entry queue's thread waits in the caps probe
 * (so the queue's src pad is linked before any buffer leaves it). */
/* `elements` (ending in the encoder made by `factory`) join the chain;
 * the encoder is the front's, guarded. */
static void
adopt_encoder (GstAutoRestoreSink *self, Front &f,
               std::vector<GstElement *> &chain,
               std::initializer_list<GstElement *> elements, GstElement *enc,
               const std::string &factory, std::string &codec)
{
  codec = codec_of_factory (factory);
  chain.insert (chain.end (), elements);
  f.encoder = enc;
  f.encoder_name = factory;
  guard_encoder (self, enc);
}

/* Raw video: videoconvert -> 8-bit 4:2:0 -> the first encoder that
 * works for `caps`. */
static bool
add_video_encoder (GstAutoRestoreSink *self, Front &f, GstCaps *caps,
                   std::vector<GstElement *> &chain, std::string &codec,
                   std::string &error)
{
  GstElement *conv = make_element ("videoconvert", error);
  std::string factory;
  GstElement *enc
      = conv ? make_working_video_encoder (self, caps, factory, error)
             : nullptr;
  if (!enc) {
    if (conv)
      gst_object_unref (conv);
    return false;
  }
  /* 8-bit 4:2:0, which every decoder and ingest takes: left open, an
   * encoder such as x264enc picks 4:4:4 or 10-bit and may change its
   * choice on a renegotiation. */
  GstElement *filter = gst_element_factory_make ("capsfilter", nullptr);
  GstCaps *fmt
      = gst_caps_from_string ("video/x-raw, format=(string){ I420, NV12 }");
  g_object_set (filter, "caps", fmt, nullptr);
  gst_caps_unref (fmt);
  adopt_encoder (self, f, chain, { conv, filter, enc }, enc, factory, codec);
  return true;
}

/* Raw audio: audioconvert -> audioresample -> the first audio encoder
 * installed (Opus for WHIP-only destinations with the default list). */
static bool
add_audio_encoder (GstAutoRestoreSink *self, Front &f,
                   std::vector<GstElement *> &chain, std::string &codec,
                   std::string &error)
{
  auto *priv = self->priv;
  GstElement *conv = make_element ("audioconvert", error);
  GstElement *res = make_element ("audioresample", error);
  GstElement *enc = nullptr;
  std::string factory;
  std::string audio_encoders = priv->run.audio_encoder;
  /* WHIP carries Opus, not AAC: with the default encoders and only WHIP
   * destinations, Opus. */
  bool only_whip = true;
  for (auto &u : resilient::split_words (priv->run.location, " \t\n"))
    only_whip = only_whip && publishes_whip (u);
  if (only_whip && audio_encoders == DEFAULT_AUDIO_ENCODER)
    audio_encoders = "opusenc";
  for (auto &n : resilient::split_words (audio_encoders, ", ")) {
    enc = gst_element_factory_make (n.c_str (), nullptr);
    if (enc) {
      factory = n;
      break;
    }
  }
  if (!conv || !res || !enc) {
    if (!enc && error.empty ())
      error = "no usable audio encoder among '" + priv->run.audio_encoder
              + "': install one (voaacenc, avenc_aac) or set audio-encoder";
    for (auto *e : { conv, res, enc })
      if (e)
        gst_object_unref (e);
    return false;
  }
  configure_audio_encoder (enc, priv->run.audio_bitrate);
  adopt_encoder (self, f, chain, { conv, res, enc }, enc, factory, codec);
  return true;
}

/* parser (codec headers with every keyframe) -> tee -> leaky queue. */
static bool
add_tail (const std::string &codec, std::vector<GstElement *> &chain,
          std::string &error)
{
  if (const char *p = parser_for_codec (codec)) {
    GstElement *parser = make_element (p, error);
    if (!parser)
      return false;
    /* Codec headers with every keyframe: a new session can start at any
     * keyframe. */
    if (g_object_class_find_property (G_OBJECT_GET_CLASS (parser),
                                      "config-interval"))
      g_object_set (parser, "config-interval", -1, nullptr);
    chain.push_back (parser);
  }
  GstElement *tee = make_element ("tee", error);
  GstElement *q = make_element ("queue", error);
  if (!tee || !q) {
    for (auto *e : { tee, q })
      if (e)
        gst_object_unref (e);
    return false;
  }
  g_object_set (tee, "allow-not-linked", TRUE, nullptr);
  /* Leaky: the publishing side can never push back on the encoder. */
  g_object_set (q, "leaky", 2, "max-size-buffers", 0, "max-size-bytes", 0,
                "max-size-time", (guint64)2 * GST_SECOND, nullptr);
  chain.insert (chain.end (), { tee, q });
  return true;
}

/* Adds, links (entry -> chain -> appsink) and starts the chain. */
static bool
link_front (GstAutoRestoreSink *self, Front &f,
            const std::vector<GstElement *> &chain, const char *caps_name,
            std::string &error)
{
  for (auto *e : chain)
    gst_bin_add (GST_BIN (self), e);
  GstElement *prev = f.entry;
  bool ok = true;
  for (auto *e : chain) {
    ok = ok && gst_element_link (prev, e);
    prev = e;
  }
  ok = ok && gst_element_link (prev, f.appsink);
  if (!ok) {
    error = std::string ("cannot build the ") + (f.video ? "video" : "audio")
            + " front for caps " + caps_name;
    return false;
  }
  /* Downstream first so nothing is pushed into an element not yet
   * running. */
  for (auto it = chain.rbegin (); it != chain.rend (); ++it) {
    if (gst_element_sync_state_with_parent (*it) == FALSE) {
      error = std::string ("element ") + GST_ELEMENT_NAME (*it)
              + " failed to start";
      return false;
    }
  }
  return true;
}

bool
build_front (GstAutoRestoreSink *self, Front &f, GstCaps *caps,
             std::string &error)
{
  RETURN_IF_NOT_ON_LOOP_VAL (self, false);
  auto *priv = self->priv;
  const char *name = gst_structure_get_name (gst_caps_get_structure (caps, 0));
  f.raw = g_str_has_prefix (name, f.video ? "video/x-raw" : "audio/x-raw");
  std::vector<GstElement *> chain;
  std::string codec;
  bool ok = true;
  if (f.raw && f.video) {
    ok = add_video_encoder (self, f, caps, chain, codec, error);
  } else if (f.raw) {
    ok = add_audio_encoder (self, f, chain, codec, error);
  } else {
    codec = codec_name_of_caps (caps);
    f.encoder_name = "";
  }
  if (ok && !add_tail (codec, chain, error)) {
    for (auto *e : chain)
      gst_object_unref (e);
    return false;
  }
  if (!ok || !link_front (self, f, chain, name, error))
    return false;
  f.chain = chain;
  f.tee = chain[chain.size () - 2];
  f.codec = codec;
  f.built = true;
  sync_front_stats (self);
  /* A recording that cannot be linked is a recording failure (a WARNING,
   * retried), not a reason to stop publishing. */
  if (priv->recorder.clips ().is_open () && !priv->recorder.add_branch (f))
    priv->recorder.clips ().trip (
        "", std::string ("cannot link the recording of the ")
                + (f.video ? "video" : "audio") + " stream");
  return true;
}

GstPadProbeReturn
entry_caps_probe (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  auto *self = GST_AUTO_RESTORE_SINK (user_data);
  auto *priv = self->priv;
  GstEvent *ev = GST_PAD_PROBE_INFO_EVENT (info);
  if (GST_EVENT_TYPE (ev) != GST_EVENT_CAPS)
    return GST_PAD_PROBE_OK;
  Front &f
      = (GST_PAD_PARENT (pad) == priv->video.entry) ? priv->video : priv->audio;
  if (f.built)
    return GST_PAD_PROBE_OK;
  GstCaps *caps;
  gst_event_parse_caps (ev, &caps);
  gst_caps_ref (caps);
  bool ok = false;
  std::string error;
  Front *fp = &f;
  priv->loop.post_and_wait ([&] {
    ok = build_front (self, *fp, caps, error);
    if (!ok) {
      GST_ERROR_OBJECT (self, "%s", error.c_str ());
      report_fatal (self, error, true, "");
    }
  });
  gst_caps_unref (caps);
  if (!ok)
    return GST_PAD_PROBE_OK;
  priv->loop.post (
      [keep = SelfRef (self)] { maybe_start_publishing (keep.p); });
  return GST_PAD_PROBE_OK;
}

void
init_front (GstAutoRestoreSink *self, Front &f, bool video)
{
  f.video = video;
  f.entry = gst_element_factory_make ("queue",
                                      video ? "video_entry" : "audio_entry");
  /* The entry queue takes the encoder off the upstream thread: a push
   * from upstream returns as soon as the buffer is queued. Leaky, so even
   * a stalled encoder cannot block upstream. */
  g_object_set (f.entry, "leaky", 2, "max-size-buffers", 0, "max-size-bytes", 0,
                "max-size-time", (guint64)GST_SECOND, nullptr);
  f.appsink
      = gst_element_factory_make ("appsink", video ? "video_out" : "audio_out");
  g_object_set (f.appsink, "sync", FALSE, "async", FALSE, "enable-last-sample",
                FALSE, "max-buffers", 64, "drop", TRUE, "wait-on-eos", FALSE,
                nullptr);
  GstAppSinkCallbacks cb = {};
  cb.eos = on_appsink_eos;
  cb.new_sample = on_new_sample;
  gst_app_sink_set_callbacks (GST_APP_SINK (f.appsink), &cb, self, nullptr);
  gst_bin_add_many (GST_BIN (self), f.entry, f.appsink, nullptr);

  GstPad *target = gst_element_get_static_pad (f.entry, "sink");
  GstPadTemplate *tmpl
      = gst_static_pad_template_get (video ? &video_template : &audio_template);
  f.ghost = gst_ghost_pad_new_from_template (video ? "video" : "audio", target,
                                             tmpl);
  gst_object_unref (tmpl);
  gst_object_unref (target);
  gst_element_add_pad (GST_ELEMENT (self), f.ghost);

  GstPad *src = gst_element_get_static_pad (f.entry, "src");
  gst_pad_add_probe (src, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, entry_caps_probe,
                     self, nullptr);
  gst_object_unref (src);
}

/* Removes what build_front() added (READY->NULL), so the next run builds
 * for its own caps. */
void
teardown_front (GstAutoRestoreSink *self, Front &f)
{
  RETURN_IF_NOT_ON_LOOP (self);
  for (auto *e : f.chain) {
    gst_element_set_state (e, GST_STATE_NULL);
    gst_bin_remove (GST_BIN (self), e);
  }
  f.chain.clear ();
  f.encoder = nullptr;
  f.tee = nullptr;
  f.built = false;
  f.eos = false;
  f.codec.clear ();
  f.encoder_name.clear ();
  sync_front_stats (self);
  std::lock_guard<std::mutex> g (self->priv->lock);
  gst_caps_replace (&f.caps, nullptr);
}

/* Asks the encoder (or upstream, for encoded input) for a keyframe now. */
void
request_keyframe (GstAutoRestoreSink *self)
{
  RETURN_IF_NOT_ON_LOOP (self);
  GstPad *pad = gst_element_get_static_pad (self->priv->video.appsink, "sink");
  if (!pad)
    return;
  /* Pushed on a sink pad, an upstream event goes to its peer, up through
   * the parser to the encoder (or upstream of the element). */
  gst_pad_push_event (pad, gst_video_event_new_upstream_force_key_unit (
                               GST_CLOCK_TIME_NONE, TRUE, 0));
  gst_object_unref (pad);
}

/* ------------------------------------------------- running codec swap */

struct BlockCtx
{
  std::mutex m;
  std::condition_variable cv;
  bool blocked = false;
};

GstPadProbeReturn
block_cb (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  auto *ctx = static_cast<BlockCtx *> (user_data);
  std::lock_guard<std::mutex> g (ctx->m);
  ctx->blocked = true;
  ctx->cv.notify_all ();
  return GST_PAD_PROBE_OK;
}

/* Puts `enc` (opened, configured, for candidate `cand`) in place of the
 * video encoder and its parser in the running front, while the entry
 * queue's output is blocked between two buffers: upstream keeps pushing
 * into the leaky entry queue meanwhile. The hold queue and the encoded
 * caps are cleared: media of the old encoder can start no session any
 * more, and a waiting session starts on the new encoder's first caps. Runs
 * on the loop. */
bool
replace_video_encoder (GstAutoRestoreSink *self, GstElement *enc,
                       const EncoderCandidate &cand)
{
  RETURN_IF_NOT_ON_LOOP_VAL (self, false);
  auto *priv = self->priv;
  Front &f = priv->video;
  GstElement *parser = nullptr;
  if (const char *p = parser_for_codec (cand.codec)) {
    parser = gst_element_factory_make (p, nullptr);
    if (parser
        && g_object_class_find_property (G_OBJECT_GET_CLASS (parser),
                                         "config-interval"))
      g_object_set (parser, "config-interval", -1, nullptr);
  }

  /* Block the entry queue's output between two buffers. */
  GstPad *block_pad = gst_element_get_static_pad (f.entry, "src");
  BlockCtx ctx;
  gulong probe
      = gst_pad_add_probe (block_pad,
                           (GstPadProbeType)(GST_PAD_PROBE_TYPE_BLOCK_DOWNSTREAM
                                             | GST_PAD_PROBE_TYPE_IDLE),
                           block_cb, &ctx, nullptr);
  {
    std::unique_lock<std::mutex> lk (ctx.m);
    ctx.cv.wait_for (lk, std::chrono::seconds (2), [&] { return ctx.blocked; });
  }

  auto it = std::find (f.chain.begin (), f.chain.end (), f.encoder);
  GstElement *before = *(it - 1);
  std::vector<GstElement *> old;
  for (auto j = it; j != f.chain.end () && *j != f.tee; ++j)
    old.push_back (*j);
  for (auto *e : old) {
    gst_element_set_state (e, GST_STATE_NULL);
    gst_bin_remove (GST_BIN (self), e);
  }
  guard_encoder (self, enc);
  gst_bin_add (GST_BIN (self), enc);
  if (parser)
    gst_bin_add (GST_BIN (self), parser);
  bool ok = gst_element_link (before, enc);
  ok = ok
       && (parser ? gst_element_link_many (enc, parser, f.tee, nullptr)
                  : gst_element_link (enc, f.tee));
  if (parser)
    gst_element_sync_state_with_parent (parser);
  gst_element_sync_state_with_parent (enc);
  /* New chain: [... before, enc, parser?, tee, ...]. */
  auto pos = f.chain.erase (it, it + old.size ());
  pos = f.chain.insert (pos, enc) + 1;
  if (parser)
    f.chain.insert (pos, parser);
  f.encoder = enc;
  f.encoder_name = cand.factory;
  f.codec = cand.codec;
  {
    std::lock_guard<std::mutex> g (priv->lock);
    priv->hold.clear ([] (GstBuffer *&b) { gst_buffer_unref (b); });
    gst_caps_replace (&f.caps, nullptr);
  }
  sync_front_stats (self);
  gst_pad_remove_probe (block_pad, probe);
  gst_object_unref (block_pad);
  if (!ok)
    GST_ERROR_OBJECT (self, "cannot link the %s encoder",
                      cand.factory.c_str ());
  return ok;
}

/* Replaces the video encoder (and its parser) of the running front with
 * the first encoder of another codec that `accepted` takes. Returns the
 * new encoder's codec, or an empty string when no swap was possible. */
std::string
swap_video_codec (GstAutoRestoreSink *self,
                  const std::function<bool (const std::string &)> &accepted,
                  const char *reason)
{
  RETURN_IF_NOT_ON_LOOP_VAL (self, std::string ());
  auto *priv = self->priv;
  Front &f = priv->video;
  if (!f.raw || !f.encoder || !f.tee || priv->recorder.clips ().is_open ()
      || !priv->chain)
    return {};
  auto available = encoder_available;
  const std::string from_codec = f.codec;
  /* Ask the chain only when some encoder could answer: asking marks the
   * current codec as failed. */
  bool any = false;
  for (auto &n : resilient::split_words (priv->run.video_encoder + ","
                                             + priv->run.fallback_video_encoder,
                                         ", ")) {
    std::string c = codec_of_factory (n);
    any = any || (!c.empty () && c != from_codec && accepted (c));
  }
  if (!any)
    return {};
  auto cand = priv->chain->on_codec_failure (available, accepted);
  if (!cand)
    return {};
  GstElement *enc = gst_element_factory_make (cand->factory.c_str (), nullptr);
  if (!enc)
    return {};
  configure_video_encoder (enc, cand->factory, priv->run.video_bitrate,
                           f.gop_frames, publishes_whip (priv->run.location));
  bool ok = replace_video_encoder (self, enc, *cand);
  {
    std::lock_guard<std::mutex> g (priv->lock);
    priv->stats.codec_changes++;
  }
  if (!ok)
    return {};
  GST_INFO_OBJECT (self, "video codec %s -> %s (%s)", from_codec.c_str (),
                   cand->codec.c_str (), reason);
  post_event (self, "codec-changed",
              gst_structure_new ("x", "from", G_TYPE_STRING,
                                 from_codec.c_str (), "to", G_TYPE_STRING,
                                 cand->codec.c_str (), "encoder", G_TYPE_STRING,
                                 cand->factory.c_str (), "reason",
                                 G_TYPE_STRING, reason, nullptr));
  return cand->codec;
}

/* A guarded encoder failed while running (loop). The video encoder is
 * replaced by the next one of the chain that opens, in the running front;
 * with none left (or for the audio encoder, which has no chain) one ERROR
 * names the encoder. */
void
on_encoder_failed (GstAutoRestoreSink *self, GstElement *enc,
                   const std::string &why)
{
  RETURN_IF_NOT_ON_LOOP (self);
  auto *priv = self->priv;
  const bool video = enc == priv->video.encoder;
  Front &f = video ? priv->video : priv->audio;
  if (enc != f.encoder || !f.built || priv->stopping || priv->fatal)
    return;
  const std::string from = f.encoder_name;
  GST_WARNING_OBJECT (self, "%s encoder %s failed while running: %s",
                      video ? "video" : "audio", from.c_str (), why.c_str ());
  if (video && f.raw && f.tee && priv->chain) {
    auto available = encoder_available;
    std::string failed = from;
    std::string reason = "failed-while-running";
    auto cand = priv->chain->on_start_failure (available);
    while (cand) {
      GstElement *next = nullptr;
      /* A recording cannot change codec within a clip. */
      if (!priv->recorder.clips ().is_open () || cand->codec == f.codec)
        next = gst_element_factory_make (cand->factory.c_str (), nullptr);
      if (next) {
        configure_video_encoder (next, cand->factory, priv->run.video_bitrate,
                                 f.gop_frames,
                                 publishes_whip (priv->run.location));
        if (gst_element_set_state (next, GST_STATE_PAUSED)
            != GST_STATE_CHANGE_FAILURE) {
          gst_element_set_state (next, GST_STATE_NULL);
        } else {
          gst_element_set_state (next, GST_STATE_NULL);
          gst_object_unref (next);
          next = nullptr;
        }
      }
      {
        std::lock_guard<std::mutex> g (priv->lock);
        priv->stats.encoder_changes++;
      }
      post_event (self, "encoder-changed",
                  gst_structure_new (
                      "x", "from", G_TYPE_STRING, failed.c_str (), "to",
                      G_TYPE_STRING, cand->factory.c_str (), "codec",
                      G_TYPE_STRING, cand->codec.c_str (), "reason",
                      G_TYPE_STRING, reason.c_str (), "message", G_TYPE_STRING,
                      failed == from ? why.c_str () : "", nullptr));
      if (next) {
        const std::string old_codec = f.codec;
        if (replace_video_encoder (self, next, *cand)) {
          GST_INFO_OBJECT (self, "video encoder %s -> %s after a failure",
                           from.c_str (), cand->factory.c_str ());
          if (cand->codec != old_codec) {
            {
              std::lock_guard<std::mutex> g (priv->lock);
              priv->stats.codec_changes++;
            }
            post_event (self, "codec-changed",
                        gst_structure_new (
                            "x", "from", G_TYPE_STRING, old_codec.c_str (),
                            "to", G_TYPE_STRING, cand->codec.c_str (),
                            "encoder", G_TYPE_STRING, cand->factory.c_str (),
                            "reason", G_TYPE_STRING, "encoder-failed",
                            nullptr));
          }
          request_keyframe (self);
          return;
        }
        break;
      }
      failed = cand->factory;
      reason = "failed-to-start";
      cand = priv->chain->on_start_failure (available);
    }
  }
  report_fatal (self,
                std::string (video ? "video" : "audio") + " encoder '" + from
                    + "' failed while running (" + why
                    + ") and no other encoder is left to take over: install "
                      "another one or add it to '"
                    + (video ? "video-encoder" : "audio-encoder") + "'",
                true, "");
}

} // namespace resilient::gst::autorestore
