/* gst-resilient: failoversrc's controller, on the element's ControlLoop.
 *
 * Feeds the FailoverPolicy (lib/resilient/failover/policy.h) its events --
 * failures, health verdicts, new content, manual requests, ticks -- and
 * carries out the Actions it returns, one function per action kind
 * (switch, start, stop, candidate-failed, retry, give-up). Owns the one
 * timer of the loop (health ticks, silence deadlines, filler frames).
 *
 * Threads: everything here runs on the loop thread (asserted) except
 * report_failure (any thread: it posts to the loop), prepare_candidates and
 * teardown_all (the application thread, in state changes).
 */
#pragma once

#include "failover/private.h"

#include <string>
#include <vector>

namespace resilient::gst::failoversrc {

/* Any thread: the first failure of a run goes to the loop. */
void report_failure (GstFailoverSrc *self, std::uint64_t run_id, int index,
                     resilient::failover::FailureReason reason, bool fatal,
                     std::string detail, GstClockTime first_sign,
                     resilient::Duration retry_floor
                     = resilient::Duration::zero ());

/* Loop thread: carries out the policy's actions. */
void run_actions (GstFailoverSrc *self,
                  std::vector<resilient::failover::Action> acts);
/* Loop thread: a policy step now (after a manual request). */
void step_policy (GstFailoverSrc *self);
/* Loop thread: (re)arms the tick timer. */
void schedule_tick (GstFailoverSrc *self);
/* Loop thread: PAUSED->PLAYING. */
void on_playing (GstFailoverSrc *self);
/* Loop thread: thresholds changed in PLAYING. */
void apply_runtime_settings (GstFailoverSrc *self);
/* Loop thread: reports a switch once its first buffer went out. */
void report_switch (GstFailoverSrc *self, const PendingSwitch &p,
                    GstClockTime gap);
/* Any thread: recomputes `status`, notifies when it changed. */
void update_status (GstFailoverSrc *self);

/* Application thread (READY->PAUSED): parses and checks the candidates,
 * makes the policy; unusable candidates are rejected on the loop. False
 * (with an ERROR posted) when none is usable. */
bool prepare_candidates (GstFailoverSrc *self);
/* Application thread (PAUSED->READY): stops every run. */
void teardown_all (GstFailoverSrc *self);

/* The redacted URI shown for candidate `index` (a cluster candidate: the
 * host in use). */
std::string candidate_uri (GstFailoverSrcPrivate *priv, int index);

} // namespace resilient::gst::failoversrc
