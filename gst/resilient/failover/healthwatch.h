/* gst-resilient: failoversrc's health watch: the verdicts on one running
 * candidate at a health tick, from the counters its probes keep (silence
 * against the learned stall limit or the timeout, the connect stage,
 * undecodable bytes, content health, bitrate), and the configuration of
 * those checks from the settings. The decisions are the lib classes
 * (HealthMonitor, StallDetector, ConnectCheck, UndecodableCheck,
 * ContentMonitor); this file feeds them and words their failures.
 *
 * Threads: the loop thread, with state_lock held (the controller's
 * health_tick); the stall and content locks are leaves taken inside.
 */
#pragma once

#include "failover/candidaterun.h"
#include "failover/private.h"

#include <string>
#include <vector>

namespace resilient::gst::failoversrc {

/* A failure seen on a health tick, reported after the state lock. */
struct TickFailure
{
  std::uint64_t id;
  int index;
  resilient::failover::FailureReason reason;
  GstClockTime first;
  std::string detail;
};

/* Loop thread, state_lock held: the verdicts on run `r` of candidate
 * `index` at `now`. Failures go to `failed` (reported by the caller after
 * the lock); a run that became healthy is told to the policy and its
 * cluster client (if any) to `healthy_clusters`; the active run's first
 * sign of a stall prepares a cold backup; only live content counts for the
 * failback proof. Fills the candidate's statistics. */
void judge_run_locked (GstFailoverSrcPrivate *priv, int index, CandidateRun &r,
                       GstClockTime now, std::vector<TickFailure> &failed,
                       std::vector<ClusterClientPtr> &healthy_clusters);

} // namespace resilient::gst::failoversrc
