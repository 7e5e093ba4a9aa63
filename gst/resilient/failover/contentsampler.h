/* gst-resilient: cheap samples of a failoversrc candidate's content for
 * its ContentMonitor (lib/resilient/failover/content.h).
 *
 * Every CONTENT_SAMPLE_EVERY-th sample of a branch is reduced on its
 * appsink's streaming thread: a video frame to a grid of
 * CONTENT_GRID_W x CONTENT_GRID_H luma values (YUV and GRAY formats read
 * their luma plane, RGB formats are weighted to luma), an audio buffer to
 * its peak level in dBFS (S16 and F32 formats; others are not judged).
 */
#pragma once

#include <gst/gst.h>

#include <cstdint>
#include <optional>
#include <vector>

namespace resilient::gst::failoversrc {

struct CandidateRun;

/* 6 samples a second at 30 fps: a fault is seen within ~170 ms of its
 * duration, for about 0.1 % of the decoding cost. */
constexpr std::uint64_t CONTENT_SAMPLE_EVERY = 5;
constexpr int CONTENT_GRID_W = 16;
constexpr int CONTENT_GRID_H = 9;

/* The luma grid of a raw video sample; empty when the format is not
 * supported. */
std::vector<std::uint8_t> luma_grid (GstSample *sample);

/* The peak level of a raw audio sample in dBFS (-120 for digital
 * silence); nullopt when the format is not supported. */
std::optional<double> audio_peak_db (GstSample *sample);

/* Appsink streaming thread: samples `sample` of `stream` into the run's
 * ContentMonitor when it is its turn and something is judged on that
 * stream. */
void sample_content (CandidateRun *run, int stream, GstSample *sample,
                     GstClockTime now);

} // namespace resilient::gst::failoversrc
