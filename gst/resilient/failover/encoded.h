/* gst-resilient: failoversrc mode=encoded, element side.
 *
 * Nothing is decoded: each candidate's uridecodebin stops at the parsed
 * elementary streams of the codecs the project knows (the one codec table,
 * resilient/core/codec.h; video parsed, H264/H265 parameter sets in-band
 * before every keyframe), and each branch is queue ! appsink. A branch off
 * the output keeps its current GOP (GopStore, warm.h). A switch
 * (prepare_encoded_cut, loop thread, before the output follows the new
 * candidate) plans the cut (plan_cut, encoded_cut.h): the kept keyframe
 * and what follows it go out at once, shifted to the cut point, and the
 * candidate's later units by the same delay; without a usable kept
 * keyframe its video waits for the next keyframe. The units reach the
 * output through push_encoded (outputstage.h), which keeps decode times
 * moving forward, sets DISCONT at the cut and forwards caps changes.
 */
#pragma once

#include "resilient/failover/encoded_cut.h"
#include "resilient/failover/warm.h"

#include <gst/gst.h>

#include <atomic>
#include <deque>
#include <mutex>
#include <optional>

struct _GstFailoverSrc;

namespace resilient::gst::failoversrc {

struct Branch;
struct CandidateRun;

/* The cut's rules (max_delay: how old a kept keyframe may be). */
extern const resilient::failover::CutConfig ENCODED_CUT;
/* A branch's queue holds what the cut's delay holds back, and a margin. */
constexpr guint64 ENCODED_QUEUE_NS = 3 * GST_SECOND;

/* One unit kept or waiting to go out: the buffer, its caps and its output
 * time before any cut delay. */
struct HeldUnit
{
  GstBuffer *buf = nullptr;
  GstCaps *caps = nullptr;
  GstClockTime out = GST_CLOCK_TIME_NONE;
  GstClockTime running_time = GST_CLOCK_TIME_NONE; /* in its candidate */
};

/* A branch's encoded state; `lock` is taken before an OutputStream's. */
struct EncodedBranch
{
  std::mutex lock;
  bool on_air = false; /* the output follows this run (set at the switch) */
  std::optional<resilient::failover::GopStore> store;
  std::deque<HeldUnit> kept;   /* off the output: the current GOP */
  std::deque<HeldUnit> replay; /* the cut's units, on their way out */
  resilient::failover::KeyframeWait wait;
  /* Audio branch: the new source's audio goes on air at its video's cut
   * (CommonCut); `held` waits for a cut time not known yet. */
  resilient::failover::CommonCut cut;
  std::deque<HeldUnit> held;
  GstClockTime delay = 0; /* the cut's delay while on the output */

  ~EncodedBranch ();
  void clear_kept ();
};

/* uridecodebin's `caps` in encoded mode: every codec of the table,
 * parsed (video) or framed (audio). */
GstCaps *encoded_stop_caps ();
/* The output pad template caps of `stream`: raw and the table's codecs. */
GstCaps *output_template_caps (int stream);

/* Streaming thread: a paced unit of an encoded branch at output time
 * `out` (before the cut delay), running time `rt` in its candidate. Takes
 * `sample`. */
void deliver_encoded (Branch *b, GstSample *sample, GstClockTime out,
                      GstClockTime rt);
/* Streaming thread: a unit of the branch was dropped before delivery
 * (stale): what follows cannot be decoded without a new keyframe. */
void encoded_unit_skipped (Branch *b);
/* Streaming thread: whether the branch's run is on the output. */
bool encoded_on_air (Branch *b);
/* Streaming thread: the cut's delay of the branch while on the output
 * (its units are paced to their shifted time), else 0. */
GstClockTime encoded_delay (Branch *b);

/* Loop thread, at a switch to run `source` (0 filler), before the output
 * follows it: every encoded run's on-air flag, and the new one's cut. */
void prepare_encoded_cut (_GstFailoverSrc *self, std::uint64_t source);

} // namespace resilient::gst::failoversrc
