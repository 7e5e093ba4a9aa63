/* gst-resilient: autorestoresink's controller on the loop (controller.cpp).
 *
 * Everything that happens on the element's ControlLoop: the sessions'
 * start (cluster host, codec check, PublishSession), their failures (the
 * RestoreCoordinator's actions, one act_* function each), the 100 ms
 * health tick (bitrate and ping watches, connect timeout, fail-back),
 * retries, TCP reachability probes, the network monitor, EOS drain,
 * status, and the recording's failure and resume.
 */
#pragma once

#include "restore/sinkprivate.h"

#include <functional>

namespace resilient::gst::autorestore {

GstClock *control_clock (GstAutoRestoreSink *self);
TimePoint now_of (GstAutoRestoreSink *self);
ControlLoop::TimerId schedule_in_ms (GstAutoRestoreSink *self, std::int64_t ms_,
                                     ControlLoop::Task task);
std::vector<std::string> split (const std::string &s, const char *seps);
void post_event (GstAutoRestoreSink *self, const char *event, GstStructure *s);
void teardown_recording (GstAutoRestoreSink *self);
bool build_recording_branch (GstAutoRestoreSink *self, Front &f);
void try_resume_recording (GstAutoRestoreSink *self);
void schedule_recording_retry (GstAutoRestoreSink *self);
void on_recording_failed (GstAutoRestoreSink *self, const std::string &location,
                          const std::string &why);
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
void republish (GstAutoRestoreSink *self, std::shared_ptr<Session> s,
                FailureKind kind, const std::string &reason);
void tick (GstAutoRestoreSink *self);
void schedule_tick (GstAutoRestoreSink *self);
void retry_now (GstAutoRestoreSink *self, size_t idx, const char *why);
void probe_done (GObject *source, GAsyncResult *res, gpointer user_data);
void probe_reachability (GstAutoRestoreSink *self, size_t idx);
void schedule_probe (GstAutoRestoreSink *self, size_t idx);
void on_network_changed (GNetworkMonitor *monitor, gboolean available,
                         gpointer user_data);
void maybe_start_publishing (GstAutoRestoreSink *self);
void finish_eos_if_done (GstAutoRestoreSink *self);
void manual_stop (GstAutoRestoreSink *self);
void on_front_eos (GstAutoRestoreSink *self, bool video);
std::string cluster_display (const std::string &uri);
void watch_cluster (
    GstAutoRestoreSink *self, size_t idx,
    const std::shared_ptr<resilient::cluster::ClusterClient> &client);
bool setup_run (GstAutoRestoreSink *self, std::string &error);
bool setup_recording (GstAutoRestoreSink *self, std::string &error);

/* The run, as the element's state changes drive it: NULL->READY before the
 * loop starts (then starts it); READY->PAUSED, PAUSED->READY and the
 * READY->NULL teardown on the loop. */
bool open_run (GstAutoRestoreSink *self, std::string &error);
bool begin_publishing (GstAutoRestoreSink *self, std::string &error);
void stop_publishing (GstAutoRestoreSink *self);
void close_run (GstAutoRestoreSink *self);

} // namespace resilient::gst::autorestore
