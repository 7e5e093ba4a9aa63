/* gst-resilient: failoversrc's output stage (see outputstage.h). */
#include "failover/outputstage.h"

#include "common/codecs.h"
#include "common/selfref.h"
#include "failover/candidaterun.h"
#include "failover/controller.h"
#include "failover/private.h"
#include "resilient/failover/encoded_cut.h"

#include <gst/app/app.h>

#include <algorithm>
#include <optional>

#define GST_CAT_DEFAULT failover_src_debug

using namespace resilient;
using namespace resilient::failover;

namespace resilient::gst::failoversrc {

const char *const stream_names[2] = { "video", "audio" };

/* Filler caps when nothing ever played and no caps were set. */
constexpr int DEFAULT_WIDTH = 1280;
constexpr int DEFAULT_HEIGHT = 720;
constexpr int DEFAULT_FPS_N = 30;
constexpr int DEFAULT_RATE = 48000;
constexpr int DEFAULT_CHANNELS = 2;

#define ORIGIN_META_NAME "GstFailoverSrcOriginMeta"
/* Set once in class_init: no name lookup per output buffer. */
static const GstMetaInfo *origin_meta_info = nullptr;
static GQuark q_index, q_source;

using SelfRef = resilient::gst::SelfRef<GstFailoverSrc>;

void
register_origin_meta ()
{
  static const gchar *no_tags[] = { nullptr };
  origin_meta_info = gst_meta_register_custom (ORIGIN_META_NAME, no_tags,
                                               nullptr, nullptr, nullptr);
  if (!origin_meta_info) /* registered before (the plugin was reloaded) */
    origin_meta_info = gst_meta_get_info (ORIGIN_META_NAME);
  q_index = g_quark_from_static_string ("index");
  q_source = g_quark_from_static_string ("source");
}

/* A field the user left out takes the default; one given as a range or list
 * is fixated towards it. */
static void
fixate_int_or_set (GstStructure *s, const char *field, int def)
{
  if (!gst_structure_has_field (s, field))
    gst_structure_set (s, field, G_TYPE_INT, def, nullptr);
  else
    gst_structure_fixate_field_nearest_int (s, field, def);
}

static void
fixate_string_or_set (GstStructure *s, const char *field, const char *def)
{
  if (!gst_structure_has_field (s, field))
    gst_structure_set (s, field, G_TYPE_STRING, def, nullptr);
  else
    gst_structure_fixate_field_string (s, field, def);
}

static GstCaps *
default_caps (int stream, const GstCaps *wanted)
{
  GstCaps *caps = wanted ? gst_caps_copy (wanted)
                         : gst_caps_new_empty_simple (
                             stream_names[stream] == std::string ("video")
                                 ? "video/x-raw"
                                 : "audio/x-raw");
  caps = gst_caps_truncate (caps);
  caps = gst_caps_make_writable (caps);
  GstStructure *s = gst_caps_get_structure (caps, 0);
  if (stream == VIDEO) {
    fixate_string_or_set (s, "format", "I420");
    fixate_int_or_set (s, "width", DEFAULT_WIDTH);
    fixate_int_or_set (s, "height", DEFAULT_HEIGHT);
    if (!gst_structure_has_field (s, "framerate"))
      gst_structure_set (s, "framerate", GST_TYPE_FRACTION, DEFAULT_FPS_N, 1,
                         nullptr);
    gst_structure_fixate_field_nearest_fraction (s, "framerate", DEFAULT_FPS_N,
                                                 1);
    if (!gst_structure_has_field (s, "pixel-aspect-ratio"))
      gst_structure_set (s, "pixel-aspect-ratio", GST_TYPE_FRACTION, 1, 1,
                         nullptr);
  } else {
    fixate_string_or_set (s, "format", "S16LE");
    fixate_int_or_set (s, "rate", DEFAULT_RATE);
    fixate_int_or_set (s, "channels", DEFAULT_CHANNELS);
    if (!gst_structure_has_field (s, "layout"))
      gst_structure_set (s, "layout", G_TYPE_STRING, "interleaved", nullptr);
  }
  return gst_caps_fixate (caps);
}

/* Caps a candidate branch converts to before the output caps are known. */
GstCaps *
branch_caps (GstFailoverSrc *self, int stream)
{
  auto *priv = self->priv;
  {
    std::lock_guard<std::mutex> g (priv->output.out[stream].lock);
    if (priv->output.out[stream].caps)
      return gst_caps_ref (priv->output.out[stream].caps);
  }
  std::lock_guard<std::mutex> g (priv->settings_lock);
  if (priv->settings.caps[stream])
    return gst_caps_ref (priv->settings.caps[stream]);
  /* Interleaved audio: what nearly every downstream element takes. */
  return stream == VIDEO
             ? gst_caps_new_empty_simple ("video/x-raw")
             : gst_caps_new_simple ("audio/x-raw", "layout", G_TYPE_STRING,
                                    "interleaved", nullptr);
}

GstClockTime
frame_duration (OutputStream &o)
{
  if (GST_VIDEO_INFO_FPS_N (&o.vinfo) > 0)
    return gst_util_uint64_scale_int (GST_SECOND,
                                      GST_VIDEO_INFO_FPS_D (&o.vinfo),
                                      GST_VIDEO_INFO_FPS_N (&o.vinfo));
  if (GST_CLOCK_TIME_IS_VALID (o.coded_unit))
    return o.coded_unit;
  return GST_SECOND / DEFAULT_FPS_N;
}

static GstBuffer *
make_black_frame (const GstVideoInfo *out_info)
{
  GstVideoInfo i420;
  gst_video_info_set_format (&i420, GST_VIDEO_FORMAT_I420,
                             GST_VIDEO_INFO_WIDTH (out_info),
                             GST_VIDEO_INFO_HEIGHT (out_info));
  GST_VIDEO_INFO_FPS_N (&i420) = GST_VIDEO_INFO_FPS_N (out_info);
  GST_VIDEO_INFO_FPS_D (&i420) = GST_VIDEO_INFO_FPS_D (out_info);
  GST_VIDEO_INFO_PAR_N (&i420) = GST_VIDEO_INFO_PAR_N (out_info);
  GST_VIDEO_INFO_PAR_D (&i420) = GST_VIDEO_INFO_PAR_D (out_info);
  GstBuffer *src = gst_buffer_new_allocate (nullptr, i420.size, nullptr);
  GstVideoFrame sf;
  if (!gst_video_frame_map (&sf, &i420, src, GST_MAP_WRITE)) {
    gst_buffer_unref (src);
    return nullptr;
  }
  for (int p = 0; p < 3; p++) {
    guint8 *data = (guint8 *)GST_VIDEO_FRAME_PLANE_DATA (&sf, p);
    gint stride = GST_VIDEO_FRAME_PLANE_STRIDE (&sf, p);
    gint h = GST_VIDEO_FRAME_COMP_HEIGHT (&sf, p);
    memset (data, p == 0 ? 16 : 128, (gsize)stride * h);
  }
  GstBuffer *dst = gst_buffer_new_allocate (nullptr, out_info->size, nullptr);
  GstVideoFrame df;
  if (!gst_video_frame_map (&df, out_info, dst, GST_MAP_WRITE)) {
    gst_video_frame_unmap (&sf);
    gst_buffer_unref (src);
    gst_buffer_unref (dst);
    return nullptr;
  }
  GstVideoConverter *conv = gst_video_converter_new (
      &i420, const_cast<GstVideoInfo *> (out_info), nullptr);
  if (conv) {
    gst_video_converter_frame (conv, &sf, &df);
    gst_video_converter_free (conv);
  }
  gst_video_frame_unmap (&df);
  gst_video_frame_unmap (&sf);
  gst_buffer_unref (src);
  return dst;
}

/* Decodes the fallback image to the output caps (loop thread). */
static GstBuffer *
load_fallback_image (GstFailoverSrc *self, const std::string &path,
                     GstCaps *out_caps)
{
  GError *err = nullptr;
  gchar *desc = g_strdup_printf (
      "filesrc name=src ! decodebin ! videoconvert "
      "! videoscale ! capsfilter name=cf ! appsink name=sink sync=false");
  GstElement *pipe = gst_parse_launch (desc, &err);
  g_free (desc);
  if (!pipe) {
    GST_WARNING_OBJECT (self, "cannot build image decoder: %s",
                        err ? err->message : "?");
    g_clear_error (&err);
    return nullptr;
  }
  GstElement *src = gst_bin_get_by_name (GST_BIN (pipe), "src");
  GstElement *cf = gst_bin_get_by_name (GST_BIN (pipe), "cf");
  GstElement *sink = gst_bin_get_by_name (GST_BIN (pipe), "sink");
  g_object_set (src, "location", path.c_str (), nullptr);
  GstCaps *still = gst_caps_copy (out_caps);
  gst_structure_remove_field (gst_caps_get_structure (still, 0), "framerate");
  g_object_set (cf, "caps", still, nullptr);
  gst_caps_unref (still);
  GstBuffer *result = nullptr;
  gst_element_set_state (pipe, GST_STATE_PAUSED);
  GstSample *sample
      = gst_app_sink_try_pull_preroll (GST_APP_SINK (sink), 5 * GST_SECOND);
  if (sample) {
    result = gst_buffer_copy_deep (gst_sample_get_buffer (sample));
    gst_sample_unref (sample);
  } else {
    GST_ELEMENT_WARNING (
        self, RESOURCE, READ,
        ("Cannot decode fallback-image '%s'; black is shown instead.",
         path.c_str ()),
        (nullptr));
  }
  gst_element_set_state (pipe, GST_STATE_NULL);
  gst_object_unref (src);
  gst_object_unref (cf);
  gst_object_unref (sink);
  gst_object_unref (pipe);
  return result;
}

/* OutputStream::lock held. */
static void
set_output_caps_locked (GstFailoverSrc *self, int stream, GstCaps *caps)
{
  OutputStream &o = self->priv->output.out[stream];
  gst_caps_replace (&o.caps, caps);
  gst_clear_caps (&o.accepted);
  if (stream == VIDEO) {
    if (!gst_video_info_from_caps (&o.vinfo, caps))
      GST_WARNING_OBJECT (self, "unusable video caps %" GST_PTR_FORMAT, caps);
    gst_clear_buffer (&o.black);
    o.black = make_black_frame (&o.vinfo);
  } else if (!gst_audio_info_from_caps (&o.ainfo, caps)) {
    GST_WARNING_OBJECT (self, "unusable audio caps %" GST_PTR_FORMAT, caps);
  }
  gst_app_src_set_caps (GST_APP_SRC (self->priv->output.appsrc[stream]), caps);
  GST_INFO_OBJECT (self, "%s output caps: %" GST_PTR_FORMAT,
                   stream_names[stream], caps);
}

/* Loop thread: converts every running candidate to the output caps now
 * that they are known, and prepares the fallback image. */
void
on_output_caps_known (GstFailoverSrc *self, int stream)
{
  auto *priv = self->priv;
  GstCaps *caps = branch_caps (self, stream);
  std::vector<std::shared_ptr<CandidateRun>> runs;
  {
    std::lock_guard<std::mutex> g (priv->state_lock);
    for (auto &kv : priv->runs)
      runs.push_back (kv.second);
  }
  for (auto &r : runs)
    if (r->branches[stream].capsfilter)
      g_object_set (r->branches[stream].capsfilter, "caps", caps, nullptr);
  /* mode=encoded encodes the image into its slate (encodedfiller.h). */
  if (stream == VIDEO && !priv->output.encoded.load ()) {
    std::string path;
    {
      std::lock_guard<std::mutex> g (priv->settings_lock);
      path = priv->settings.fallback_image;
    }
    bool need;
    {
      std::lock_guard<std::mutex> g (priv->output.out[VIDEO].lock);
      need = !path.empty () && !priv->output.out[VIDEO].image_tried;
      priv->output.out[VIDEO].image_tried = true;
    }
    if (need) {
      GstBuffer *img = load_fallback_image (self, path, caps);
      std::lock_guard<std::mutex> g (priv->output.out[VIDEO].lock);
      gst_clear_buffer (&priv->output.out[VIDEO].image);
      priv->output.out[VIDEO].image = img;
    }
  }
  gst_caps_unref (caps);
}

/* OutputStream::lock held: whether a buffer in `caps` may go out; the first
 * candidate's caps become the output caps (`caps_now_known`). */
static bool
accept_caps_locked (GstFailoverSrc *self, int stream, GstCaps *caps,
                    bool &caps_now_known)
{
  OutputStream &o = self->priv->output.out[stream];
  if (caps && !o.caps) {
    /* Lock onto the first candidate's format. */
    GstCaps *fixed = gst_caps_fixate (gst_caps_copy (caps));
    set_output_caps_locked (self, stream, fixed);
    gst_caps_unref (fixed);
    caps_now_known = true;
  }
  if (!o.caps
      || (caps && caps != o.accepted && !gst_caps_is_subset (caps, o.caps))) {
    /* Not (yet) converted to the output format. */
    GST_LOG_OBJECT (self, "%s: dropping sample in caps %" GST_PTR_FORMAT,
                    stream_names[stream], caps);
    return false;
  }
  if (caps && caps != o.accepted)
    gst_caps_replace (&o.accepted, caps);
  return true;
}

/* OutputStream::lock held: where `buf` goes on the output timeline; audio is
 * clipped in place. */
static OutputTimeline::Placement
place_locked (OutputStream &o, int stream, GstBuffer *&buf, GstClockTime pts)
{
  if (stream == VIDEO)
    return o.timeline.place_video (from_ns (pts), from_ns (frame_duration (o)));
  gsize bpf = GST_AUDIO_INFO_BPF (&o.ainfo);
  gsize samples = bpf ? gst_buffer_get_size (buf) / bpf : 0;
  if (samples == 0 || GST_AUDIO_INFO_RATE (&o.ainfo) <= 0) {
    OutputTimeline::Placement none;
    none.drop = true;
    return none;
  }
  auto place = o.timeline.place_audio (from_ns (pts), samples,
                                       GST_AUDIO_INFO_RATE (&o.ainfo));
  if (!place.drop && place.trim_samples > 0)
    buf = gst_audio_buffer_truncate (buf, bpf, place.trim_samples,
                                     samples - place.trim_samples);
  return place;
}

/* Timestamps, flags (DISCONT on a new source) and the origin meta. */
static GstBuffer *
stamp (GstBuffer *buf, const OutputTimeline::Placement &place, bool discont,
       int stream, std::uint64_t source, int index)
{
  buf = gst_buffer_make_writable (buf);
  GST_BUFFER_PTS (buf) = to_ns (place.pts);
  GST_BUFFER_DTS (buf) = GST_CLOCK_TIME_NONE;
  GST_BUFFER_DURATION (buf) = to_ns (place.duration);
  GST_BUFFER_OFFSET (buf) = GST_BUFFER_OFFSET_NONE;
  GST_BUFFER_OFFSET_END (buf) = GST_BUFFER_OFFSET_NONE;
  if (discont) {
    GST_BUFFER_FLAG_SET (buf, GST_BUFFER_FLAG_DISCONT);
    if (stream == AUDIO)
      GST_BUFFER_FLAG_SET (buf, GST_BUFFER_FLAG_RESYNC);
  } else {
    GST_BUFFER_FLAG_UNSET (buf, GST_BUFFER_FLAG_DISCONT);
  }
  if (origin_meta_info) {
    GstMeta *meta = gst_buffer_get_meta (buf, origin_meta_info->api);
    if (!meta)
      meta = gst_buffer_add_meta (buf, origin_meta_info, nullptr);
    if (meta) {
      GstStructure *ms = gst_custom_meta_get_structure ((GstCustomMeta *)meta);
      gst_structure_id_set (ms, q_index, G_TYPE_INT, index, q_source,
                            G_TYPE_UINT64, (guint64)source, nullptr);
    }
  }
  return buf;
}

/* OutputStream::lock held: the pending switch whose new source this buffer is
 * the first of, with the gap it left. */
static std::optional<PendingSwitch>
take_pending_switch (GstFailoverSrcPrivate *priv, OutputStream &o,
                     std::uint64_t source, TimePoint pts, GstClockTime &gap)
{
  std::lock_guard<std::mutex> sg (priv->switch_lock);
  if (!priv->pending.armed || priv->pending.source != source)
    return std::nullopt;
  priv->pending.armed = false;
  gap = to_ns (o.timeline.switch_gap (pts, priv->pending.from >= 0));
  return priv->pending;
}

void
push_output (GstFailoverSrc *self, int stream, GstBuffer *buf, GstClockTime pts,
             std::uint64_t source, int index, GstCaps *caps)
{
  auto *priv = self->priv;
  OutputStream &o = priv->output.out[stream];
  bool caps_now_known = false;
  std::optional<PendingSwitch> done;
  GstClockTime gap = GST_CLOCK_TIME_NONE;
  {
    std::lock_guard<std::mutex> g (o.lock);
    OutputTimeline::Placement place;
    if (accept_caps_locked (self, stream, caps, caps_now_known))
      place = place_locked (o, stream, buf, pts);
    else
      place.drop = true;
    if (place.drop) {
      GST_LOG_OBJECT (
          self,
          "%s: dropping buffer of %" G_GUINT64_FORMAT " at %" GST_TIME_FORMAT,
          stream_names[stream], (guint64)source, GST_TIME_ARGS (pts));
      gst_buffer_unref (buf);
    } else {
      buf = stamp (buf, place, o.timeline.discont (source), stream, source,
                   index);
      done = take_pending_switch (priv, o, source, place.pts, gap);
      o.timeline.commit (place.pts, place.duration, source, stream == VIDEO);
      if (stream == VIDEO && source != 0)
        gst_buffer_replace (&o.last_frame, buf);
      GST_LOG_OBJECT (
          self, "%s: push from %" G_GUINT64_FORMAT " at %" GST_TIME_FORMAT,
          stream_names[stream], (guint64)source,
          GST_TIME_ARGS (GST_BUFFER_PTS (buf)));
      if (priv->output.enabled[stream].load ())
        gst_app_src_push_buffer (GST_APP_SRC (priv->output.appsrc[stream]),
                                 buf);
      else
        gst_buffer_unref (buf);
    }
  }
  if (caps_now_known)
    priv->loop.post ([keep = SelfRef (self), stream] {
      on_output_caps_known (keep.p, stream);
    });
  if (done)
    priv->loop.post ([keep = SelfRef (self), p = *done, gap] {
      report_switch (keep.p, p, gap);
    });
}

/* The codec's name for messages ("h264"), or the caps' name. */
static std::string
codec_name (const GstCaps *caps)
{
  if (const CodecInfo *c = codec_of_caps (caps))
    return c->name;
  if (!caps || gst_caps_is_empty (caps))
    return "unknown";
  return gst_structure_get_name (gst_caps_get_structure (caps, 0));
}

/* OutputStream::lock held: whether `caps` carry the output's codec (true
 * while the output has none). */
static bool
same_codec_locked (OutputStream &o, const GstCaps *caps)
{
  if (!o.caps || !caps)
    return true;
  return gst_structure_has_name (
      gst_caps_get_structure (o.caps, 0),
      gst_structure_get_name (gst_caps_get_structure (caps, 0)));
}

bool
encoded_caps_fit (GstFailoverSrc *self, int stream, GstCaps *caps)
{
  OutputStream &o = self->priv->output.out[stream];
  std::lock_guard<std::mutex> g (o.lock);
  return same_codec_locked (o, caps);
}

std::string
codec_refusal (GstFailoverSrc *self, int stream, GstCaps *caps)
{
  std::string out;
  {
    OutputStream &o = self->priv->output.out[stream];
    std::lock_guard<std::mutex> g (o.lock);
    out = codec_name (o.caps);
  }
  return std::string ("its ") + stream_names[stream] + " is "
         + codec_name (caps) + " but the output carries " + out
         + " (mode=encoded cannot change the codec within a stream)";
}

/* A unit's duration as `caps` give it (OutputStream::coded_unit). */
static GstClockTime
coded_unit_duration (int stream, GstCaps *caps)
{
  const CodecInfo *codec = codec_of_caps (caps);
  if (!codec)
    return GST_CLOCK_TIME_NONE;
  const GstStructure *s = gst_caps_get_structure (caps, 0);
  if (stream == VIDEO) {
    int n = 0, d = 0;
    if (gst_structure_get_fraction (s, "framerate", &n, &d) && n > 0 && d > 0)
      return gst_util_uint64_scale_int (GST_SECOND, d, n);
    return GST_CLOCK_TIME_NONE;
  }
  int rate = 0, version = 4;
  gst_structure_get_int (s, "rate", &rate);
  gst_structure_get_int (s, "mpegversion", &version); /* 1: MP3 */
  const Duration f = audio_unit_duration (
      codec->codec == Codec::AAC && version != 1, rate);
  return f > Duration::zero () ? to_ns (f) : GST_CLOCK_TIME_NONE;
}

/* OutputStream::lock held: the first caps become the output's; later caps
 * of the same codec (another resolution, new codec data) are forwarded in
 * order with the buffers; another codec is refused. */
static bool
accept_encoded_caps_locked (GstFailoverSrc *self, int stream, GstCaps *caps)
{
  OutputStream &o = self->priv->output.out[stream];
  if (!caps || caps == o.accepted)
    return o.caps != nullptr;
  if (!same_codec_locked (o, caps))
    return false;
  if (!o.caps || !gst_caps_is_equal (caps, o.caps)) {
    GST_INFO_OBJECT (self, "%s output caps: %" GST_PTR_FORMAT,
                     stream_names[stream], caps);
    gst_caps_replace (&o.caps, caps);
    o.coded_unit = coded_unit_duration (stream, caps);
    gst_app_src_set_caps (GST_APP_SRC (self->priv->output.appsrc[stream]),
                          caps);
  }
  gst_caps_replace (&o.accepted, caps);
  return true;
}

/* OutputStream::lock held: `buf` stamped for the output at `out` (its PTS's
 * running time), or NULL when dropped (audio overlapping the output). */
static GstBuffer *
stamp_encoded_locked (OutputStream &o, int stream, GstBuffer *buf,
                      GstClockTime out, std::uint64_t source, int index)
{
  GstClockTime pts = out, dts = out;
  const GstClockTime bp = GST_BUFFER_PTS (buf), bd = GST_BUFFER_DTS (buf);
  if (GST_CLOCK_TIME_IS_VALID (bp) && GST_CLOCK_TIME_IS_VALID (bd) && bd <= bp)
    dts = out - std::min (out, bp - bd);
  GstClockTime dur = GST_BUFFER_DURATION (buf);
  if (stream == AUDIO && !GST_CLOCK_TIME_IS_VALID (dur))
    dur = o.coded_unit;
  const Duration d = from_ns (GST_CLOCK_TIME_IS_VALID (dur) ? dur : 0);
  auto place = place_encoded (stream == VIDEO, from_ns (dts), d, o.last_dts,
                              o.timeline.last_end ());
  if (place.drop) {
    gst_buffer_unref (buf);
    return nullptr;
  }
  const GstClockTime shift = to_ns (place.dts) - dts;
  OutputTimeline::Placement p;
  p.pts = from_ns (pts + shift);
  p.duration = d;
  buf = stamp (buf, p, o.timeline.discont (source), stream, source, index);
  GST_BUFFER_DTS (buf) = dts + shift;
  GST_BUFFER_DURATION (buf) = dur;
  o.last_dts = place.dts;
  return buf;
}

bool
push_encoded (GstFailoverSrc *self, int stream, GstBuffer *buf,
              GstClockTime out, std::uint64_t source, int index, GstCaps *caps)
{
  auto *priv = self->priv;
  OutputStream &o = priv->output.out[stream];
  std::optional<PendingSwitch> done;
  GstClockTime gap = GST_CLOCK_TIME_NONE;
  {
    std::lock_guard<std::mutex> g (o.lock);
    if (!accept_encoded_caps_locked (self, stream, caps)) {
      gst_buffer_unref (buf);
      return caps == nullptr;
    }
    buf = stamp_encoded_locked (o, stream, buf, out, source, index);
    if (!buf)
      return true;
    const TimePoint dts = from_ns (GST_BUFFER_DTS (buf));
    done = take_pending_switch (priv, o, source, dts, gap);
    const GstClockTime dur = GST_BUFFER_DURATION (buf);
    o.timeline.commit (dts, from_ns (GST_CLOCK_TIME_IS_VALID (dur) ? dur : 0),
                       source, stream == VIDEO);
    GST_LOG_OBJECT (
        self,
        "encoded %s out: source %" G_GUINT64_FORMAT " pts %" GST_TIME_FORMAT
        " dts %" GST_TIME_FORMAT " duration %" GST_TIME_FORMAT "%s%s",
        stream_names[stream], source, GST_TIME_ARGS (GST_BUFFER_PTS (buf)),
        GST_TIME_ARGS (GST_BUFFER_DTS (buf)),
        GST_TIME_ARGS (GST_BUFFER_DURATION (buf)),
        GST_BUFFER_FLAG_IS_SET (buf, GST_BUFFER_FLAG_DISCONT) ? " discont" : "",
        GST_BUFFER_FLAG_IS_SET (buf, GST_BUFFER_FLAG_DELTA_UNIT) ? "" : " key");
    if (priv->output.enabled[stream].load ())
      gst_app_src_push_buffer (GST_APP_SRC (priv->output.appsrc[stream]), buf);
    else
      gst_buffer_unref (buf);
  }
  if (done)
    priv->loop.post ([keep = SelfRef (self), p = *done, gap] {
      report_switch (keep.p, p, gap);
    });
  return true;
}

/* How long a stream of the active candidate may lack data before filler
 * covers it; also how late a candidate may run before it is re-anchored. */
GstClockTime
starve_threshold (GstFailoverSrcPrivate *priv)
{
  return to_ns (resilient::failover::starve_threshold (
      from_ns (priv->latency_ns.load ())));
}

/* Decides whether a stream that must carry filler before any candidate
 * fixed its caps gets the default caps now. */
static bool
may_default_caps (GstFailoverSrc *self, int stream, GstClockTime now)
{
  auto *priv = self->priv;
  std::lock_guard<std::mutex> g (priv->state_lock);
  if (!priv->policy)
    return false;
  int active = priv->policy->active ();
  if (active >= 0) {
    auto it = priv->runs.find (active);
    if (it == priv->runs.end ())
      return false;
    CandidateRun &r = *it->second;
    /* The active candidate has no such stream. */
    return r.no_more_pads.load () && !r.has_stream[stream].load ();
  }
  if (priv->ever_active)
    return true;
  bool anything_running = false;
  for (std::size_t i = 0; i < priv->policy->size (); i++) {
    auto st = priv->policy->state ((int)i);
    anything_running
        |= st == CandidateState::Starting || st == CandidateState::Healthy;
  }
  return !anything_running;
}

/* A stream that must carry filler before any candidate fixed its caps gets
 * the default caps (within video-caps / audio-caps) once may_default_caps
 * says so or startup is over. False while the stream has no caps. */
static bool
ensure_output_caps (GstFailoverSrc *self, int st, GstClockTime now,
                    GstClockTime startup)
{
  auto *priv = self->priv;
  OutputStream &o = priv->output.out[st];
  {
    std::lock_guard<std::mutex> g (o.lock);
    if (o.caps)
      return true;
  }
  bool startup_over = GST_CLOCK_TIME_IS_VALID (startup) && now >= startup;
  if (!may_default_caps (self, st, now) && !startup_over)
    return false;
  GstCaps *wanted = nullptr;
  {
    std::lock_guard<std::mutex> g (priv->settings_lock);
    if (priv->settings.caps[st])
      wanted = gst_caps_ref (priv->settings.caps[st]);
  }
  GstCaps *def = default_caps (st, wanted);
  if (wanted)
    gst_caps_unref (wanted);
  bool set = false;
  {
    std::lock_guard<std::mutex> g (o.lock);
    if (!o.caps) {
      set_output_caps_locked (self, st, def);
      set = true;
    }
  }
  gst_caps_unref (def);
  if (set)
    on_output_caps_known (self, st);
  return true;
}

/* What filler a tick asks for. */
struct FillerTick
{
  GstClockTime now;
  std::uint64_t active; /* run id on the output, 0 filler */
  GstClockTime latency, hold;
  bool just_switched;
};

/* OutputStream::lock held: the next filler buffer of stream `st` and its
 * time, or NULL when the stream needs none now. */
static GstBuffer *
next_filler_locked (GstFailoverSrcPrivate *priv, OutputStream &o, int st,
                    const FillerTick &t, GstClockTime &pts)
{
  if (!o.caps)
    return nullptr;
  OutputTimeline::FillerInput in;
  in.now = from_ns (t.now);
  in.on_filler = t.active == 0;
  /* Starving threshold: none on filler. */
  in.threshold = from_ns (t.active == 0 ? 0 : starve_threshold (priv));
  in.frame = from_ns (st == VIDEO ? frame_duration (o) : 0);
  in.latency = from_ns (t.latency);
  auto due = o.timeline.filler_due (in);
  if (!due)
    return nullptr;
  pts = to_ns (*due);
  if (st == VIDEO) {
    switch (o.timeline.picture (*due, o.last_frame != nullptr,
                                o.image != nullptr, from_ns (t.hold), t.active,
                                t.just_switched)) {
    case OutputTimeline::Picture::LastFrame:
      return gst_buffer_copy (o.last_frame);
    case OutputTimeline::Picture::Image:
      return gst_buffer_copy (o.image);
    case OutputTimeline::Picture::Black:
      return o.black ? gst_buffer_copy (o.black) : nullptr;
    }
    return nullptr;
  }
  if (GST_AUDIO_INFO_RATE (&o.ainfo) <= 0 || GST_AUDIO_INFO_BPF (&o.ainfo) == 0)
    return nullptr;
  guint64 samples = o.timeline.silence_samples (*due, in.now, in.on_filler,
                                                from_ns (HEALTH_PERIOD / 2),
                                                GST_AUDIO_INFO_RATE (&o.ainfo));
  if (samples == 0)
    return nullptr;
  gsize size = samples * GST_AUDIO_INFO_BPF (&o.ainfo);
  GstBuffer *buf = gst_buffer_new_allocate (nullptr, size, nullptr);
  GstMapInfo map;
  if (gst_buffer_map (buf, &map, GST_MAP_WRITE)) {
    gst_audio_format_info_fill_silence (o.ainfo.finfo, map.data, map.size);
    gst_buffer_unmap (buf, &map);
  }
  return buf;
}

void
filler_tick (GstFailoverSrc *self, GstClockTime now, GstClockTime startup)
{
  auto *priv = self->priv;
  g_return_if_fail (priv->loop.on_loop_thread ());
  /* mode=encoded: encoded slates (encodedfiller.h). */
  if (priv->output.encoded.load ()) {
    encoded_filler_tick (self, now);
    return;
  }
  FillerTick t;
  t.now = now;
  t.active = priv->active_source.load ();
  t.latency = priv->latency_ns.load ();
  t.hold = priv->hold_ns.load ();
  /* Right after a switch, the new candidate's first frame is on its way:
   * the gap is bridged with the last frame, not black. */
  t.just_switched = false;
  if (t.active != 0) {
    std::lock_guard<std::mutex> g (priv->state_lock);
    t.just_switched = GST_CLOCK_TIME_IS_VALID (priv->active_since)
                      && now < priv->active_since + t.latency;
  }
  for (int st = 0; st < 2; st++) {
    if (!ensure_output_caps (self, st, now, startup))
      continue;
    OutputStream &o = priv->output.out[st];
    /* Video catches up by at most 8 frames a tick; audio in one buffer. */
    for (int pushes = 0; pushes < (st == AUDIO ? 1 : 8); pushes++) {
      GstBuffer *buf;
      GstClockTime pts = GST_CLOCK_TIME_NONE;
      {
        std::lock_guard<std::mutex> g (o.lock);
        buf = next_filler_locked (priv, o, st, t, pts);
      }
      if (!buf)
        break;
      push_output (self, st, buf, pts, 0, -1, nullptr);
    }
  }
}

void
reset_outputs (GstFailoverSrc *self)
{
  encoded_filler_reset (self);
  for (int st = 0; st < 2; st++) {
    OutputStream &o = self->priv->output.out[st];
    std::lock_guard<std::mutex> g (o.lock);
    o.timeline.reset ();
    gst_clear_buffer (&o.last_frame);
    gst_clear_buffer (&o.black);
    gst_clear_buffer (&o.image);
    o.image_tried = false;
    gst_clear_caps (&o.caps);
    gst_clear_caps (&o.accepted);
    o.last_dts.reset ();
    o.coded_unit = GST_CLOCK_TIME_NONE;
    /* A raw run's formats must not outlive it (frame_duration reads the
     * video info first: an encoded run after it would pace by it). */
    gst_video_info_init (&o.vinfo);
    gst_audio_info_init (&o.ainfo);
  }
}

void
apply_fixed_caps (GstFailoverSrc *self)
{
  auto *priv = self->priv;
  for (int st = 0; st < 2; st++) {
    GstCaps *c = nullptr;
    {
      std::lock_guard<std::mutex> g (priv->settings_lock);
      if (priv->settings.caps[st]) {
        /* Fields a user rarely writes but a raw format needs. */
        c = gst_caps_copy (priv->settings.caps[st]);
        GstStructure *s = gst_caps_get_structure (c, 0);
        if (st == AUDIO && !gst_structure_has_field (s, "layout"))
          gst_structure_set (s, "layout", G_TYPE_STRING, "interleaved",
                             nullptr);
        if (st == VIDEO && !gst_structure_has_field (s, "pixel-aspect-ratio"))
          gst_structure_set (s, "pixel-aspect-ratio", GST_TYPE_FRACTION, 1, 1,
                             nullptr);
        /* Fixed and complete (with a format): used from the start.
         * Otherwise the first candidate's format within them is. */
        GstVideoInfo vi;
        GstAudioInfo ai;
        if (gst_caps_get_size (c) != 1 || !gst_caps_is_fixed (c)
            || (st == VIDEO ? !gst_video_info_from_caps (&vi, c)
                            : !gst_audio_info_from_caps (&ai, c)))
          gst_clear_caps (&c);
      }
    }
    if (!c)
      continue;
    std::lock_guard<std::mutex> g (priv->output.out[st].lock);
    set_output_caps_locked (self, st, c);
    gst_caps_unref (c);
  }
}

/* What is wrong with video-caps / audio-caps, "" when usable: raw caps of
 * the pad's kind, one structure, positive sizes, rates and channels, a
 * known format. */
std::string
check_fixed_caps (GstFailoverSrc *self)
{
  auto *priv = self->priv;
  std::lock_guard<std::mutex> g (priv->settings_lock);
  if (priv->settings.mode == GST_FAILOVER_SRC_MODE_ENCODED
      && (priv->settings.caps[VIDEO] || priv->settings.caps[AUDIO]))
    return "video-caps and audio-caps convert decoded output; mode=encoded "
           "passes the candidates' streams on unchanged: unset them";
  for (int st = 0; st < 2; st++) {
    const GstCaps *c = priv->settings.caps[st];
    if (!c)
      continue;
    gchar *str = gst_caps_to_string (c);
    std::string prop = std::string (stream_names[st]) + "-caps";
    std::string where = prop + "=\"" + str + "\": ";
    g_free (str);
    const char *want = st == VIDEO ? "video/x-raw" : "audio/x-raw";
    if (gst_caps_get_size (c) != 1)
      return where + "give exactly one " + want + " structure";
    const GstStructure *s = gst_caps_get_structure (c, 0);
    if (!gst_structure_has_name (s, want))
      return where + "must be " + want + " (e.g. " + want
             + (st == VIDEO ? ",width=1280,height=720,framerate=30/1)"
                            : ",rate=48000,channels=2)");
    if (gst_caps_features_is_any (gst_caps_get_features (c, 0))
        || !gst_caps_features_is_equal (gst_caps_get_features (c, 0),
                                        GST_CAPS_FEATURES_MEMORY_SYSTEM_MEMORY))
      return where + "only system-memory caps are supported";
    const char *ints[2][2] = { { "width", "height" }, { "rate", "channels" } };
    for (const char *f : ints[st]) {
      if (!gst_structure_has_field (s, f))
        continue;
      int v = 0;
      if (!gst_structure_get_int (s, f, &v))
        return where + f + " must be a single positive integer";
      if (v <= 0)
        return where + f + " must be positive, not " + std::to_string (v);
    }
    if (st == VIDEO && gst_structure_has_field (s, "framerate")) {
      int n = 0, d = 1;
      if (!gst_structure_get_fraction (s, "framerate", &n, &d) || n <= 0
          || d <= 0)
        return where + "framerate must be a positive fraction such as 30/1";
    }
    if (gst_structure_has_field (s, "format")) {
      const char *fmt = gst_structure_get_string (s, "format");
      bool known = fmt
                   && (st == VIDEO ? gst_video_format_from_string (fmt)
                                         != GST_VIDEO_FORMAT_UNKNOWN
                                   : gst_audio_format_from_string (fmt)
                                         != GST_AUDIO_FORMAT_UNKNOWN);
      if (!known)
        return where + "unknown " + (st == VIDEO ? "video" : "audio")
               + " format";
    }
  }
  return "";
}

/* Streaming thread of an output appsrc: like fallbacksrc, a pad without a
 * peer is not an error. */
static GstPadProbeReturn
drop_if_unlinked (GstPad *pad, GstPadProbeInfo *, gpointer)
{
  return gst_pad_is_linked (pad) ? GST_PAD_PROBE_OK : GST_PAD_PROBE_DROP;
}

void
output_stage_init (GstFailoverSrc *self, GstPadTemplate *video,
                   GstPadTemplate *audio)
{
  auto *priv = self->priv;
  for (int st = 0; st < 2; st++) {
    gchar *name = g_strdup_printf ("%s-out", stream_names[st]);
    priv->output.appsrc[st] = gst_element_factory_make ("appsrc", name);
    g_free (name);
    g_object_set (priv->output.appsrc[st], "is-live", TRUE, "format",
                  GST_FORMAT_TIME, "do-timestamp", FALSE, "block", FALSE,
                  "max-bytes", (guint64)0, "max-buffers", (guint64)0,
                  "max-time", (guint64)(2 * GST_SECOND), "leaky-type",
                  2 /* downstream: drop the oldest */, "handle-segment-change",
                  FALSE, "emit-signals", FALSE, "min-latency",
                  (gint64)(DEFAULT_LATENCY_MS * GST_MSECOND), nullptr);
    gst_bin_add (GST_BIN (self), priv->output.appsrc[st]);
    GstPad *target
        = gst_element_get_static_pad (priv->output.appsrc[st], "src");
    priv->output.ghost[st] = gst_ghost_pad_new_from_template (
        stream_names[st], target, st == VIDEO ? video : audio);
    gst_object_unref (target);
    gst_pad_set_active (priv->output.ghost[st], TRUE);
    /* An output pad nobody linked (video only, audio only) drops its
     * buffers instead of failing the appsrc with not-linked. */
    gst_pad_add_probe (priv->output.ghost[st],
                       (GstPadProbeType)(GST_PAD_PROBE_TYPE_BUFFER
                                         | GST_PAD_PROBE_TYPE_BUFFER_LIST),
                       drop_if_unlinked, nullptr, nullptr);
    gst_element_add_pad (GST_ELEMENT (self), priv->output.ghost[st]);
  }
}

void
end_output (GstFailoverSrc *self)
{
  for (int st = 0; st < 2; st++)
    gst_app_src_end_of_stream (GST_APP_SRC (self->priv->output.appsrc[st]));
}

} // namespace resilient::gst::failoversrc
