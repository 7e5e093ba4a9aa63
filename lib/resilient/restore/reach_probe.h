/* gst-resilient: finding out at once that a lost server is back, without
 * hammering it, and telling the user once why publishing fails.
 *
 * ReachProbe paces the TCP connect probes made while a destination waits
 * for its next retry, and says when a probe's success may skip that wait.
 * A restarted server is usually back within a second or two, so probes
 * start fast (`min_interval`) and slow down as the outage grows (the gap is
 * the outage's age divided by `growth`, at most `max_interval`): the delay
 * between the server accepting again and the publish stays a small
 * fraction of the outage, and the connects per second against a dead
 * server stay bounded (at most 1 / min_interval, falling to
 * 1 / max_interval).
 *
 * A probe only proves that the server accepts TCP connections, so probes
 * run only after a failure in which the server did not accept the
 * connection (a refused or timed-out connect), and a success skips the
 * wait. A server that accepts and then refuses, resets, sends garbage or
 * answers HTTP 503 is not probed at all: it is retried on the restore
 * schedule, never at the probe rate.
 *
 * FailureNotice decides when a failure to publish is worth a WARNING: the
 * first one of an outage and then only when the reason changes, not on
 * every retry.
 *
 * Neither reads a clock: every call passes "now". */
#pragma once

#include "resilient/core/time.h"
#include "resilient/restore/failure.h"

#include <cstdint>
#include <optional>
#include <string>

namespace resilient::restore {

struct ProbePolicy
{
  /* Gap between probes at the start of an outage. */
  Duration min_interval = ms (25);
  /* Gap at most (the element's `probe-interval`). */
  Duration max_interval = ms (100);
  /* The gap is the outage's age / growth, between the two above. */
  int growth = 40;
};

class ReachProbe
{
public:
  ReachProbe () : ReachProbe (ProbePolicy{}) {}
  explicit ReachProbe (ProbePolicy policy);

  /* A session failed. `server_answered`: the server accepted the connection
   * (TCP, or an HTTP answer) before the failure, so a probe's success says
   * nothing new until a probe fails. `not_before`: no probe before this
   * time (a Retry-After). */
  void on_failure (bool server_answered, TimePoint now,
                   std::optional<TimePoint> not_before = std::nullopt);
  /* Media flows again (or the element stops): no probing. */
  void reset ();

  /* When the next probe is due; nullopt when no outage is being probed, a
   * probe is under way, or the server accepted the last attempt. */
  std::optional<TimePoint> next_probe () const;
  /* A probe starts now. */
  void on_probe_started (TimePoint now);
  /* The probe's result; true when the wait must be skipped (the server was
   * not accepting and accepts again). */
  bool on_probe_result (bool accepted, TimePoint now);

  /* The gap after a probe made `age` into the outage. */
  Duration interval_at (Duration age) const;
  bool active () const { return outage_start_.has_value (); }
  /* A success would skip the wait. */
  bool armed () const { return armed_; }
  std::uint64_t probes () const { return probes_; }

private:
  ProbePolicy policy_;
  std::optional<TimePoint> outage_start_;
  std::optional<TimePoint> next_;
  bool armed_ = false;
  bool in_flight_ = false;
  std::uint64_t probes_ = 0;
};

class FailureNotice
{
public:
  /* A failure to publish; true when it deserves a WARNING: the first of an
   * outage, or a reason other than the last warned one: another kind, or
   * another root cause (root_cause ()). */
  bool on_failure (FailureKind kind, const std::string &reason);
  /* Media flows again: the next failure starts a new outage. */
  void reset ();

  /* The innermost part of an error chain, "Failed to connect: Could not
   * connect to host: Connection reset by peer" -> "Connection reset by
   * peer": the same cause reported from different stages is one reason. */
  static std::string root_cause (const std::string &reason);

private:
  bool warned_ = false;
  FailureKind kind_ = FailureKind::ServerLost;
  std::string reason_;
};

} // namespace resilient::restore
