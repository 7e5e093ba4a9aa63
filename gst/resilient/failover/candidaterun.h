/* gst-resilient: one running instance of a failoversrc candidate.
 *
 * A CandidateRun is the candidate's sub-bin (uridecodebin, then per stream
 * queue ! convert ! scale [! videorate] ! capsfilter ! appsink), the pad
 * probes that count what it delivers (atomics, read by the health tick), and
 * its start and stop on GStreamer's call_async pool. A restart makes a new
 * run (a new id). Its appsinks map each sample onto the output's running
 * time (CandidateTimeline), pace it on the clock, and push the active run's
 * samples to the output stage; a standby run keeps its newest video frame.
 *
 * Threads: built and started/stopped from the loop; probes and appsink
 * callbacks run on the candidate's streaming threads and only count, map,
 * push and report failures to the loop (report_failure).
 */
#pragma once

#include "gstfailoversrc.h"
#include "failover/encoded.h"
#include "resilient/failover/candidates.h"
#include "resilient/failover/connect.h"
#include "resilient/failover/content.h"
#include "resilient/failover/health.h"
#include "resilient/failover/output_timeline.h"
#include "resilient/failover/stall.h"
#include "resilient/failover/undecodable.h"

#include <gst/gst.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

namespace resilient::gst::failoversrc {

struct Settings;
struct CandidateRun;

/* One output stream of one candidate: queue ! convert ! ... ! appsink. */
struct Branch
{
  CandidateRun *run = nullptr;
  int stream = 0;
  GstElement *queue = nullptr;
  GstElement *capsfilter = nullptr; /* none in mode=encoded */
  GstElement *appsink = nullptr;
  std::atomic<bool> linked{ false };
  /* Video of a candidate not on the output: its newest frame, so a switch
   * to it can put a frame out at once instead of waiting up to a frame
   * for the next one. */
  std::mutex latest_lock;
  GstBuffer *latest = nullptr;
  GstCaps *latest_caps = nullptr;
  /* mode=encoded: the kept GOP, the cut, the keyframe wait. */
  EncodedBranch enc;

  ~Branch ()
  {
    gst_clear_buffer (&latest);
    gst_clear_caps (&latest_caps);
  }
};

struct CandidateRun
{
  GstFailoverSrc *self = nullptr; /* not a ref: runs die before it */
  int index = -1;
  std::uint64_t id = 0;
  std::string uri;
  std::string safe_uri;
  resilient::failover::InputKind kind = resilient::failover::InputKind::Live;
  GstElement *bin = nullptr; /* owned by the element while added */
  GstElement *decodebin = nullptr;
  Branch branches[2];

  std::atomic<std::uint64_t> bytes{ 0 };
  std::atomic<std::uint64_t> buffers{ 0 };
  /* For the undecodable check: bytes out of the source element, buffers
   * into parsers and decoders. */
  std::atomic<std::uint64_t> source_bytes{ 0 };
  std::atomic<std::uint64_t> parsed_buffers{ 0 };
  std::atomic<std::int64_t> last_buffer_ns{ -1 };
  /* Sum of the durations of the decoded buffers per stream (new content,
   * for the failback proof); content_reported: loop thread only. */
  std::atomic<std::uint64_t> content_ns[2]{ 0, 0 };
  /* PTS of the last decoded buffer per stream (its streaming thread). */
  std::atomic<std::uint64_t> last_pts[2]{ GST_CLOCK_TIME_NONE,
                                          GST_CLOCK_TIME_NONE };
  std::uint64_t content_reported = 0;
  std::atomic<bool> stopping{ false };
  std::atomic<bool> failed_reported{ false };
  std::atomic<bool> no_more_pads{ false };
  std::atomic<bool> has_stream[2]{ false, false };

  /* The pacing wait in progress per stream (video, audio): each stream's
   * appsink paces on its own streaming thread, so both may wait at once
   * and a stop must release both. */
  std::mutex wait_lock;
  GstClockID wait_id[2] = { nullptr, nullptr };

  /* Maps the candidate's running time onto the output's (one offset for
   * audio and video). */
  std::mutex timeline_lock;
  resilient::failover::CandidateTimeline timeline;

  std::mutex op_lock; /* serialises state changes */

  /* The delivery rhythm, fed by the decoded probes (streaming threads),
   * judged on the loop. stall_lock is a leaf lock. */
  std::mutex stall_lock;
  resilient::failover::StallDetector stall;

  /* Content health, fed every Nth sample by the appsinks (streaming
   * threads), judged on the loop. content_lock is a leaf lock. */
  std::mutex content_lock;
  resilient::failover::ContentMonitor content;
  std::atomic<std::uint64_t> content_seen[2]{ 0, 0 };

  /* mode=encoded (encoded.h): parsed streams, no decoding, no
   * conversion. */
  bool encoded = false;

  /* Warm standby (warmstandby.h): `warm` is set when built; `asleep` (set
   * on the loop at each switch) gates the decoders while the run is off
   * the output. kept_units: buffers in the run's GOP stores; decoded:
   * buffers out of its decoders (statistics). */
  bool warm = false;
  std::atomic<bool> asleep{ false };
  /* Set on the loop when a backup woken early falls asleep again without
   * going on the output: its video decodes on to its next keyframe and
   * sleeps there keeping it (sleeps_at), so a re-wake has a GOP. */
  std::atomic<bool> finish_gop{ false };
  std::shared_ptr<std::atomic<std::int64_t>> kept_units{
    std::make_shared<std::atomic<std::int64_t>> (0)
  };
  /* A sample of the stream reached the run's appsink (its timeline has
   * learned the live edge): from then on a warm run may sleep. */
  std::atomic<bool> sampled[2]{ false, false };
  std::atomic<std::uint64_t> decoded{ 0 };

  /* Loop thread only. */
  std::unique_ptr<resilient::failover::HealthMonitor> health;
  resilient::failover::UndecodableCheck undecodable;
  resilient::failover::ConnectCheck connect{ resilient::Duration{}, {} };
  std::string scheme;
  bool reported_healthy = false;
};

/* Streaming threads: a buffer arrived at `now` (health, rhythm). With
 * `rhythm` false it counts for health (the silence starts later) but not
 * for the stall detector's rhythm, which is learned from one series, the
 * buffers as they arrive (out of the decoders; a sleeping warm run's
 * encoded units): the network's rhythm. A sample is seen again at the
 * run's appsink, paced to its output time; mixed in, those moments made
 * the series irregular whenever the output paced (a sample held 64 ms for
 * its time, the last one of a black-holed stream among them), and the
 * learned limit rose by 30-100 ms in a third of the black holes. The
 * silence itself still runs from the newest moment of either kind. */
void record_buffer (CandidateRun *run, GstClockTime now, bool rhythm = true);
/* Streaming threads: new content of stream `st` for the failback proof
 * (`dur` NONE: the distance from the previous `pts`). */
void count_content (CandidateRun *run, int st, GstClockTime pts,
                    GstClockTime dur);
/* VIDEO or AUDIO by the pad's current caps; -1 for other caps or none. */
int pad_stream_kind (GstPad *pad);
/* VIDEO or AUDIO by the pad's current caps (anything but audio: VIDEO). */
int pad_stream (GstPad *pad);
/* Streaming threads: EOS from the input; a live one fails the run. */
void live_eos (CandidateRun *run);

/* Loop thread: builds the sub-bin of candidate `c` (its URI already
 * resolved). nullptr when a required element is missing. */
std::shared_ptr<CandidateRun>
build_candidate_run (GstFailoverSrc *self, int index,
                     const resilient::failover::Candidate &c, std::uint64_t id,
                     const Settings &s);
/* Loop thread: adds the run's bin to the element, on the element's clock
 * and base time, and sets it to PLAYING on the call_async pool. */
void start_candidate_run (GstFailoverSrc *self,
                          const std::shared_ptr<CandidateRun> &run);
/* Loop thread: interrupts the run and tears it down on the call_async
 * pool. */
void stop_candidate_run (GstFailoverSrc *self,
                         const std::shared_ptr<CandidateRun> &run);
/* Marks a run as stopping and releases its streaming threads. */
void interrupt_run (CandidateRun *run);
/* Sets the run's bin to NULL and removes it (blocks on its op_lock). */
void teardown_run_sync (GstFailoverSrc *self,
                        const std::shared_ptr<CandidateRun> &run);

} // namespace resilient::gst::failoversrc
