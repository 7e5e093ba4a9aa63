/* gst-resilient: autorestoresink's publish front (publishfront.h) */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "restore/publishfront.h"

#include "resilient/core/textlist.h"
#include "restore/controller.h"
#include "restore/encoderguard.h"

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
PublishFront::sync_stats ()
{
  auto *priv = self_->priv;
  std::lock_guard<std::mutex> g (priv->lock);
  priv->stats.video_codec = video_.codec;
  priv->stats.video_encoder = video_.encoder_name;
  priv->stats.audio_codec = audio_.codec;
}

/* ---------------------------------------------------- streaming side */

/* `t` of `seg` as running time; `before` for a time before the segment
 * (no positive running time). */
static GstClockTime
running_time (const GstSegment *seg, GstClockTime t, GstClockTime before)
{
  guint64 rt;
  if (gst_segment_to_running_time_full (seg, GST_FORMAT_TIME, t, &rt) > 0)
    return rt;
  return before;
}

GstFlowReturn
PublishFront::on_new_sample (GstAppSink *sink, gpointer user_data)
{
  auto *self = GST_AUTO_RESTORE_SINK (user_data);
  auto *priv = self->priv;
  GstSample *sample = gst_app_sink_pull_sample (sink);
  if (!sample)
    return GST_FLOW_OK;
  Front &f = (GST_ELEMENT (sink) == priv->front.video_.appsink)
                 ? priv->front.video_
                 : priv->front.audio_;
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
    if (GST_BUFFER_PTS_IS_VALID (buf))
      GST_BUFFER_PTS (buf) = running_time (seg, GST_BUFFER_PTS (buf), 0);
    if (GST_BUFFER_DTS_IS_VALID (buf))
      GST_BUFFER_DTS (buf)
          = running_time (seg, GST_BUFFER_DTS (buf), GST_CLOCK_TIME_NONE);
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
PublishFront::on_appsink_eos (GstAppSink *sink, gpointer user_data)
{
  auto *self = GST_AUTO_RESTORE_SINK (user_data);
  bool video = GST_ELEMENT (sink) == self->priv->front.video_.appsink;
  self->priv->loop.post ([keep = SelfRef (self), video] {
    keep.p->priv->drain.on_front_eos (video);
  });
}

/* -------------------------------------------------------- front build */

/* Creates the encoder for the chain's current candidate, trying the next
 * ones while a candidate fails to start. Returns null with `error` when
 * none works. Runs on the loop. */
GstElement *
PublishFront::make_working_video_encoder (GstCaps *in_caps,
                                          std::string &factory,
                                          std::string &error)
{
  auto *self = self_;
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
  video_.gop_frames = gop;
  auto available = encoder_available;
  std::optional<EncoderCandidate> cand = chain_->current ();
  if (!cand)
    cand = chain_->first (available);
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
    cand = chain_->on_start_failure (available);
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
void
PublishFront::adopt_encoder (Front &f, std::vector<GstElement *> &chain,
                             std::initializer_list<GstElement *> elements,
                             GstElement *enc, const std::string &factory,
                             std::string &codec)
{
  codec = codec_of_factory (factory);
  chain.insert (chain.end (), elements);
  f.encoder = enc;
  f.encoder_name = factory;
  EncoderGuard::install (self_, enc);
}

/* Raw video: videoconvert -> 8-bit 4:2:0 -> the first encoder that
 * works for `caps`. */
bool
PublishFront::add_video_encoder (Front &f, GstCaps *caps,
                                 std::vector<GstElement *> &chain,
                                 std::string &codec, std::string &error)
{
  GstElement *conv = make_element ("videoconvert", error);
  std::string factory;
  GstElement *enc
      = conv ? make_working_video_encoder (caps, factory, error) : nullptr;
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
  adopt_encoder (f, chain, { conv, filter, enc }, enc, factory, codec);
  return true;
}

/* Raw audio: audioconvert -> audioresample -> the first audio encoder
 * installed (Opus for WHIP-only destinations with the default list). */
bool
PublishFront::add_audio_encoder (Front &f, std::vector<GstElement *> &chain,
                                 std::string &codec, std::string &error)
{
  auto *priv = self_->priv;
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
  adopt_encoder (f, chain, { conv, res, enc }, enc, factory, codec);
  return true;
}

/* parser (codec headers with every keyframe) -> tee -> leaky queue. */
bool
PublishFront::add_tail (const std::string &codec,
                        std::vector<GstElement *> &chain, std::string &error)
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
bool
PublishFront::link_front (Front &f, const std::vector<GstElement *> &chain,
                          const char *caps_name, std::string &error)
{
  for (auto *e : chain)
    gst_bin_add (GST_BIN (self_), e);
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
PublishFront::build (Front &f, GstCaps *caps, std::string &error)
{
  auto *self = self_;
  RETURN_IF_NOT_ON_LOOP_VAL (self, false);
  auto *priv = self->priv;
  const char *name = gst_structure_get_name (gst_caps_get_structure (caps, 0));
  f.raw = g_str_has_prefix (name, f.video ? "video/x-raw" : "audio/x-raw");
  std::vector<GstElement *> chain;
  std::string codec;
  bool ok = true;
  if (f.raw && f.video) {
    ok = add_video_encoder (f, caps, chain, codec, error);
  } else if (f.raw) {
    ok = add_audio_encoder (f, chain, codec, error);
  } else {
    codec = codec_name_of_caps (caps);
    f.encoder_name = "";
  }
  if (ok && !add_tail (codec, chain, error)) {
    for (auto *e : chain)
      gst_object_unref (e);
    return false;
  }
  if (!ok || !link_front (f, chain, name, error))
    return false;
  f.chain = chain;
  f.tee = chain[chain.size () - 2];
  f.codec = codec;
  f.built = true;
  sync_stats ();
  /* A recording that cannot be linked is a recording failure (a WARNING,
   * retried), not a reason to stop publishing. */
  if (priv->recorder.clips ().is_open () && !priv->recorder.add_branch (f))
    priv->recorder.clips ().trip (
        "", std::string ("cannot link the recording of the ")
                + (f.video ? "video" : "audio") + " stream");
  return true;
}

GstPadProbeReturn
PublishFront::entry_caps_probe (GstPad *pad, GstPadProbeInfo *info,
                                gpointer user_data)
{
  auto *self = GST_AUTO_RESTORE_SINK (user_data);
  auto *priv = self->priv;
  GstEvent *ev = GST_PAD_PROBE_INFO_EVENT (info);
  if (GST_EVENT_TYPE (ev) != GST_EVENT_CAPS)
    return GST_PAD_PROBE_OK;
  Front &f = (GST_PAD_PARENT (pad) == priv->front.video_.entry)
                 ? priv->front.video_
                 : priv->front.audio_;
  if (f.built)
    return GST_PAD_PROBE_OK;
  GstCaps *caps;
  gst_event_parse_caps (ev, &caps);
  gst_caps_ref (caps);
  bool ok = false;
  std::string error;
  Front *fp = &f;
  priv->loop.post_and_wait ([&] {
    ok = priv->front.build (*fp, caps, error);
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
PublishFront::init_front (Front &f, bool video)
{
  auto *self = self_;
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
PublishFront::teardown_front (Front &f)
{
  auto *self = self_;
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
  sync_stats ();
  std::lock_guard<std::mutex> g (self->priv->lock);
  gst_caps_replace (&f.caps, nullptr);
}

/* Asks the encoder (or upstream, for encoded input) for a keyframe now. */
void
PublishFront::request_keyframe ()
{
  auto *self = self_;
  RETURN_IF_NOT_ON_LOOP (self);
  GstPad *pad = gst_element_get_static_pad (video_.appsink, "sink");
  if (!pad)
    return;
  /* Pushed on a sink pad, an upstream event goes to its peer, up through
   * the parser to the encoder (or upstream of the element). */
  gst_pad_push_event (pad, gst_video_event_new_upstream_force_key_unit (
                               GST_CLOCK_TIME_NONE, TRUE, 0));
  gst_object_unref (pad);
}

/* ------------------------------------------------- running codec swap */

struct PublishFront::BlockCtx
{
  std::mutex m;
  std::condition_variable cv;
  bool blocked = false;
};

GstPadProbeReturn
PublishFront::block_cb (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
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
PublishFront::replace_video_encoder (GstElement *enc,
                                     const EncoderCandidate &cand)
{
  auto *self = self_;
  RETURN_IF_NOT_ON_LOOP_VAL (self, false);
  auto *priv = self->priv;
  Front &f = video_;
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
  EncoderGuard::install (self, enc);
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
  sync_stats ();
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
PublishFront::swap_video_codec (
    const std::function<bool (const std::string &)> &accepted,
    const char *reason)
{
  auto *self = self_;
  RETURN_IF_NOT_ON_LOOP_VAL (self, std::string ());
  auto *priv = self->priv;
  Front &f = video_;
  if (!f.raw || !f.encoder || !f.tee || priv->recorder.clips ().is_open ()
      || !chain_)
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
  auto cand = chain_->on_codec_failure (available, accepted);
  if (!cand)
    return {};
  GstElement *enc = gst_element_factory_make (cand->factory.c_str (), nullptr);
  if (!enc)
    return {};
  configure_video_encoder (enc, cand->factory, priv->run.video_bitrate,
                           f.gop_frames, publishes_whip (priv->run.location));
  bool ok = replace_video_encoder (enc, *cand);
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

/* The encoder of `cand` for the video front `f`, configured and opened
 * once on its own; null when it does not open, or when it would change
 * the codec of a running recording (not within a clip). */
GstElement *
PublishFront::open_candidate (const EncoderCandidate &cand, const Front &f)
{
  auto *priv = self_->priv;
  if (priv->recorder.clips ().is_open () && cand.codec != f.codec)
    return nullptr;
  GstElement *next = gst_element_factory_make (cand.factory.c_str (), nullptr);
  if (!next)
    return nullptr;
  configure_video_encoder (next, cand.factory, priv->run.video_bitrate,
                           f.gop_frames, publishes_whip (priv->run.location));
  const bool opens = gst_element_set_state (next, GST_STATE_PAUSED)
                     != GST_STATE_CHANGE_FAILURE;
  gst_element_set_state (next, GST_STATE_NULL);
  if (!opens) {
    gst_object_unref (next);
    return nullptr;
  }
  return next;
}

/* Counts an encoder change and posts its encoder-changed message. */
void
PublishFront::post_encoder_changed (const std::string &from,
                                    const EncoderCandidate &cand,
                                    const std::string &reason,
                                    const std::string &message)
{
  auto *priv = self_->priv;
  {
    std::lock_guard<std::mutex> g (priv->lock);
    priv->stats.encoder_changes++;
  }
  post_event (self_, "encoder-changed",
              gst_structure_new (
                  "x", "from", G_TYPE_STRING, from.c_str (), "to",
                  G_TYPE_STRING, cand.factory.c_str (), "codec", G_TYPE_STRING,
                  cand.codec.c_str (), "reason", G_TYPE_STRING, reason.c_str (),
                  "message", G_TYPE_STRING, message.c_str (), nullptr));
}

/* A guarded encoder failed while running (loop). The video encoder is
 * replaced by the next one of the chain that opens, in the running front;
 * with none left (or for the audio encoder, which has no chain) one ERROR
 * names the encoder. */
void
PublishFront::on_encoder_failed (GstElement *enc, const std::string &why)
{
  auto *self = self_;
  RETURN_IF_NOT_ON_LOOP (self);
  auto *priv = self->priv;
  const bool video = enc == video_.encoder;
  Front &f = video ? video_ : audio_;
  if (enc != f.encoder || !f.built || priv->stopping || priv->fatal)
    return;
  const std::string from = f.encoder_name;
  GST_WARNING_OBJECT (self, "%s encoder %s failed while running: %s",
                      video ? "video" : "audio", from.c_str (), why.c_str ());
  if (video && f.raw && f.tee && chain_) {
    auto available = encoder_available;
    std::string failed = from;
    std::string reason = "failed-while-running";
    auto cand = chain_->on_start_failure (available);
    while (cand) {
      GstElement *next = open_candidate (*cand, f);
      post_encoder_changed (failed, *cand, reason, failed == from ? why : "");
      if (next) {
        const std::string old_codec = f.codec;
        if (!replace_video_encoder (next, *cand))
          break;
        GST_INFO_OBJECT (self, "video encoder %s -> %s after a failure",
                         from.c_str (), cand->factory.c_str ());
        if (cand->codec != old_codec) {
          {
            std::lock_guard<std::mutex> g (priv->lock);
            priv->stats.codec_changes++;
          }
          post_event (self, "codec-changed",
                      gst_structure_new (
                          "x", "from", G_TYPE_STRING, old_codec.c_str (), "to",
                          G_TYPE_STRING, cand->codec.c_str (), "encoder",
                          G_TYPE_STRING, cand->factory.c_str (), "reason",
                          G_TYPE_STRING, "encoder-failed", nullptr));
        }
        request_keyframe ();
        return;
      }
      failed = cand->factory;
      reason = "failed-to-start";
      cand = chain_->on_start_failure (available);
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

void
PublishFront::init ()
{
  init_front (video_, true);
  init_front (audio_, false);
}

void
PublishFront::teardown ()
{
  RETURN_IF_NOT_ON_LOOP (self_);
  teardown_front (video_);
  teardown_front (audio_);
}

} // namespace resilient::gst::autorestore
