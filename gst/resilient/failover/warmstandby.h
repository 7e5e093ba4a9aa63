/* gst-resilient: failoversrc's warm standby (standby=warm), element side.
 *
 * A warm run is the same sub-bin as a hot one (uridecodebin and the
 * branches), but each of its decoders has a gate on its sink pad. A run
 * starts as a hot one does, until uridecodebin has exposed its decoded pads
 * (no-more-pads: decodebin's preroll, and so the pipeline's state, waits
 * for every decoder's first output); from then on, while the run is off the
 * output (`asleep`), the encoded buffers reaching the decoder are counted
 * (health, delivery rhythm, failback proof), kept in a GopStore
 * (lib/resilient/failover/warm.h: the current GOP, the newest audio) and
 * dropped, so the decoder and the branches behind it do nothing. The
 * source, demuxer and parsers run as usual; that is the warm backup's
 * whole cost.
 *
 * When a switch puts the run on the output the loop clears `asleep`
 * (wake_warm_runs). At the next buffer of each stream, its streaming
 * thread pushes the kept units into the decoder first (all but the live
 * edge marked decode-only, so they are decoded as references but never
 * shown or converted), then the buffer itself: the first picture out is the
 * live edge, one GOP's decode after the switch, through the branch linked
 * since the start. A run that leaves the output falls asleep again and
 * keeps GOPs from its next keyframe (a decoding video stream decodes up to
 * that keyframe and falls asleep there, keeping it: sleeps_at).
 *
 * Early wake: the active candidate's first sign of a stall wakes the
 * backup before the stall is confirmed (early_wake_locked); the switch to
 * it then finds it awake and on its live edge, like a hot one.
 *
 * Threads: gate_decoder runs on the thread that adds the decoder
 * (deep-element-added), the gate on the decoder's streaming thread, which
 * alone touches its store; wake_warm_runs on the loop. No state change,
 * no element added or removed.
 */
#pragma once

#include "failover/candidaterun.h"
#include "failover/private.h"

#include <cstdint>
#include <string>
#include <vector>

namespace resilient::gst::failoversrc {

/* Puts the warm-standby gate on decoder sink pad `sink` of `run`. */
void gate_decoder (CandidateRun *run, GstPad *sink);

/* Loop thread, after a switch to run `source` (0: filler): every warm run
 * other than `source` falls asleep, `source` wakes (if it was not awake
 * already: woken early, see below). */
void wake_warm_runs (GstFailoverSrc *self, std::uint64_t source);

/* A warm backup woken early or asleep again (failoversrc-backup-wake). */
struct EarlyWakeNote
{
  int index = -1;
  std::string uri; /* redacted */
  bool awake = false;
  int suspect_index = -1;
  std::uint64_t awake_ms = 0;
};

/* Loop thread, state_lock held, at a health tick: warm standby's early
 * wake (resilient::failover::EarlyWake). The active candidate's first sign
 * of a stall wakes the backup a confirmed stall would switch to: its gates
 * open, it decodes its kept GOP and follows its live edge off the output,
 * as a hot backup does; it falls asleep again a linger after the last sign
 * when the stall was not confirmed. Returns what to post (after the lock). */
std::vector<EarlyWakeNote> early_wake_locked (GstFailoverSrcPrivate *priv,
                                              GstClockTime now);
/* Posts failoversrc-backup-wake for each note (no lock held). */
void post_early_wakes (GstFailoverSrc *self,
                       const std::vector<EarlyWakeNote> &notes);

} // namespace resilient::gst::failoversrc
