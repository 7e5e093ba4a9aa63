/* gst-resilient: autorestoresink's controller on the loop (controller.cpp).
 *
 * Everything that happens on the element's ControlLoop: the sessions'
 * start (cluster host, codec check, PublishSession), their failures (the
 * RestoreCoordinator's actions, one act_* function each), their coming
 * up, retries, the hold limit and the status. Its named parts, each a
 * class owning its state in Private: HealthTick (healthtick.h: the 100 ms
 * tick, bitrate and ping watches, connect timeout, fail-back),
 * Reachability (reachability.h: TCP probes, network monitor), EosDrain
 * (eosdrain.h) and RecordingControl (recordingcontrol.h: the recording's
 * failure and resume); the run's state changes are in run.h.
 */
#pragma once

#include "restore/sinkprivate.h"

#include <functional>

namespace resilient::gst::autorestore {

GstClock *control_clock (GstAutoRestoreSink *self);
TimePoint now_of (GstAutoRestoreSink *self);
ControlLoop::TimerId schedule_in_ms (GstAutoRestoreSink *self, std::int64_t ms_,
                                     ControlLoop::Task task);
void post_event (GstAutoRestoreSink *self, const char *event, GstStructure *s);
Slot &slot_of (GstAutoRestoreSink *self, size_t idx);
void on_session_end (GstAutoRestoreSink *self, std::uint64_t id,
                     GstMessage *msg);
void destroy_session (GstAutoRestoreSink *self, std::shared_ptr<Session> s);
void report_fatal (GstAutoRestoreSink *self, const std::string &reason,
                   bool local, const std::string &destination);
void start_session (GstAutoRestoreSink *self, size_t slot_idx, bool failback);
std::shared_ptr<Session> find_session (GstAutoRestoreSink *self,
                                       std::uint64_t id);
void update_hold_limit (GstAutoRestoreSink *self);
void update_status (GstAutoRestoreSink *self);
void schedule_retry_at (GstAutoRestoreSink *self, size_t slot_idx,
                        TimePoint at);
void on_retry_due (GstAutoRestoreSink *self, size_t slot_idx);
void act_fatal (GstAutoRestoreSink *self, const FailureVerdict &v,
                const RestoreAction &a);
void act_restoring (GstAutoRestoreSink *self, const FailureVerdict &v,
                    const RestoreAction &a);
void act_next_cluster_host (GstAutoRestoreSink *self, const FailureVerdict &v,
                            const RestoreAction &a);
void act_failover (GstAutoRestoreSink *self, const FailureVerdict &v,
                   const RestoreAction &a);
void act_retry_at (GstAutoRestoreSink *self, const SessionFailure &f,
                   const FailureVerdict &v, const RestoreAction &a,
                   TimePoint now);
void act_give_up (GstAutoRestoreSink *self, const FailureVerdict &v,
                  const RestoreAction &a);
void apply_action (GstAutoRestoreSink *self, const SessionFailure &f,
                   const FailureVerdict &v, const RestoreAction &a,
                   TimePoint now);
void fail_session (GstAutoRestoreSink *self, std::shared_ptr<Session> s,
                   FailureKind kind, const std::string &reason, bool accepted,
                   bool closed_by_peer);
void on_session_message (GstAutoRestoreSink *self, std::uint64_t id,
                         GstMessage *msg);
void on_session_up (GstAutoRestoreSink *self, std::shared_ptr<Session> s);
void retry_now (GstAutoRestoreSink *self, size_t idx, const char *why);
void maybe_start_publishing (GstAutoRestoreSink *self);
void manual_stop (GstAutoRestoreSink *self);

} // namespace resilient::gst::autorestore
