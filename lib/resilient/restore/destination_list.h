/* gst-resilient: which ingest to publish to.
 *
 * An ordered list of destinations (primary first, then backups). In
 * failover mode one destination is active: when it fails, the next one
 * that has not failed in this round takes over at once (no retry wait);
 * when every one has failed, the round is over and the restore scheduler's
 * wait applies before the primary is tried again. While a backup is active,
 * the primary is tried again (make-before-break: the backup keeps
 * publishing meanwhile) every `holdoff` after the last switch or failed
 * fail-back, so an intermittent primary cannot make the output flap faster
 * than that.
 *
 * In redundant mode every destination publishes at once and each restores
 * on its own; this class then only names them.
 */
#pragma once

#include "resilient/core/time.h"

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace resilient::restore {

class DestinationList
{
public:
  DestinationList (std::vector<std::string> uris = {},
                   Duration holdoff = ms (30000));

  size_t size () const { return uris_.size (); }
  const std::string &uri (size_t i) const { return uris_[i]; }
  size_t active () const { return active_; }

  /* The active destination failed. Returns the backup to switch to at
   * once, or nullopt when the round is over (wait, then start_round()). */
  std::optional<size_t> on_failure (TimePoint now);
  /* The round after a wait starts again from the primary. */
  size_t start_round ();
  /* The active destination carries media. */
  void on_up (TimePoint now);
  /* When to try failing back to the primary, if a backup is active. */
  std::optional<TimePoint> failback_due () const;
  /* A fail-back attempt failed: the next one after another hold-off. */
  void on_failback_failed (TimePoint now);
  /* The fail-back attempt is up: the primary is active again. */
  void on_failback_done (TimePoint now);

  Duration holdoff () const { return holdoff_; }
  std::uint64_t switches () const { return switches_; }

private:
  std::vector<std::string> uris_;
  std::vector<bool> failed_in_round_;
  Duration holdoff_;
  size_t active_ = 0;
  std::optional<TimePoint> last_switch_;
  std::uint64_t switches_ = 0;
};

} // namespace resilient::restore
