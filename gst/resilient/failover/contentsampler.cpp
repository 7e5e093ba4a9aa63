/* gst-resilient: cheap content samples (see contentsampler.h). */
#include "failover/contentsampler.h"

#include "failover/candidaterun.h"
#include "failover/private.h"

#include <gst/audio/audio.h>
#include <gst/video/video.h>

#include <algorithm>
#include <cmath>
#include <cstring>

namespace resilient::gst::failoversrc {

static std::uint8_t
luma_at (const GstVideoFrame &f, int x, int y)
{
  const GstVideoFormatInfo *fi = f.info.finfo;
  auto px = [&] (int comp) {
    const guint8 *d = (const guint8 *)GST_VIDEO_FRAME_COMP_DATA (&f, comp);
    int stride = GST_VIDEO_FRAME_COMP_STRIDE (&f, comp);
    int ps = GST_VIDEO_FRAME_COMP_PSTRIDE (&f, comp);
    int cx = GST_VIDEO_FORMAT_INFO_SCALE_WIDTH (fi, comp, x);
    int cy = GST_VIDEO_FORMAT_INFO_SCALE_HEIGHT (fi, comp, y);
    const guint8 *p = d + cy * stride + cx * ps;
    const int depth = GST_VIDEO_FORMAT_INFO_DEPTH (fi, comp);
    if (depth <= 8)
      return (int)p[0];
    /* 10-16 bit components in 16-bit words (I420_10LE, Y444_10LE, P010,
     * ...): the word, its value's shift (P010 keeps it in the high bits),
     * scaled to 8 bits. The word's high byte alone is 0-3 for a 10-bit
     * value: every picture would look black. */
    int v = GST_VIDEO_FORMAT_INFO_IS_LE (fi) ? p[0] | (p[1] << 8)
                                              : (p[0] << 8) | p[1];
    v >>= GST_VIDEO_FORMAT_INFO_SHIFT (fi, comp);
    return v >> (depth - 8);
  };
  if (!GST_VIDEO_FORMAT_INFO_IS_RGB (fi))
    return (std::uint8_t)px (0);
  /* BT.601 weights, integer. */
  return (std::uint8_t) ((77 * px (0) + 150 * px (1) + 29 * px (2)) >> 8);
}

std::vector<std::uint8_t>
luma_grid (GstSample *sample)
{
  std::vector<std::uint8_t> grid;
  GstVideoInfo info;
  GstCaps *caps = gst_sample_get_caps (sample);
  GstBuffer *buf = gst_sample_get_buffer (sample);
  if (!caps || !buf || !gst_video_info_from_caps (&info, caps))
    return grid;
  const GstVideoFormatInfo *fi = info.finfo;
  if (GST_VIDEO_FORMAT_INFO_IS_COMPLEX (fi) || GST_VIDEO_INFO_WIDTH (&info) <= 0
      || GST_VIDEO_INFO_HEIGHT (&info) <= 0)
    return grid;
  GstVideoFrame f;
  if (!gst_video_frame_map (&f, &info, buf, GST_MAP_READ))
    return grid;
  int w = GST_VIDEO_INFO_WIDTH (&info), h = GST_VIDEO_INFO_HEIGHT (&info);
  grid.reserve (CONTENT_GRID_W * CONTENT_GRID_H);
  for (int gy = 0; gy < CONTENT_GRID_H; gy++)
    for (int gx = 0; gx < CONTENT_GRID_W; gx++)
      grid.push_back (luma_at (f, (2 * gx + 1) * w / (2 * CONTENT_GRID_W),
                               (2 * gy + 1) * h / (2 * CONTENT_GRID_H)));
  gst_video_frame_unmap (&f);
  return grid;
}

std::optional<double>
audio_peak_db (GstSample *sample)
{
  GstAudioInfo info;
  GstCaps *caps = gst_sample_get_caps (sample);
  GstBuffer *buf = gst_sample_get_buffer (sample);
  if (!caps || !buf || !gst_audio_info_from_caps (&info, caps))
    return std::nullopt;
  GstAudioFormat fmt = GST_AUDIO_INFO_FORMAT (&info);
  if (fmt != GST_AUDIO_FORMAT_S16 && fmt != GST_AUDIO_FORMAT_F32)
    return std::nullopt;
  GstMapInfo m;
  if (!gst_buffer_map (buf, &m, GST_MAP_READ))
    return std::nullopt;
  double peak = 0;
  if (fmt == GST_AUDIO_FORMAT_S16) {
    auto *s = (const gint16 *)m.data;
    for (gsize i = 0; i < m.size / 2; i += 4) /* every 4th sample */
      peak = std::max (peak, std::abs ((double)s[i]) / 32768.0);
  } else {
    auto *s = (const float *)m.data;
    for (gsize i = 0; i < m.size / 4; i += 4)
      peak = std::max (peak, (double)std::fabs (s[i]));
  }
  gst_buffer_unmap (buf, &m);
  return peak > 1e-6 ? 20.0 * std::log10 (peak) : -120.0;
}

void
sample_content (CandidateRun *run, int stream, GstSample *sample,
                GstClockTime now)
{
  if (run->content_seen[stream].fetch_add (1) % CONTENT_SAMPLE_EVERY != 0)
    return;
  {
    /* Nothing judged on this stream (silence is off by default): no
     * sample taken. */
    std::lock_guard<std::mutex> g (run->content_lock);
    const auto &c = run->content.config ();
    bool judged = stream == VIDEO ? c.black > Duration::zero ()
                                        || c.frozen > Duration::zero ()
                                  : c.silence > Duration::zero ();
    if (!judged)
      return;
  }
  if (stream == VIDEO) {
    auto grid = luma_grid (sample);
    std::lock_guard<std::mutex> g (run->content_lock);
    run->content.on_video (tp (now), grid);
  } else if (auto peak = audio_peak_db (sample)) {
    std::lock_guard<std::mutex> g (run->content_lock);
    run->content.on_audio (tp (now), *peak);
  }
}

} // namespace resilient::gst::failoversrc
