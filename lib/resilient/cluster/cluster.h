/* gst-resilient: one cluster shared by every element of a process.
 *
 * A Cluster wraps a Resolver behind a mutex and is what consumers
 * (failoversrc, autorestoresink, an application through clusterresolver's
 * action signals) talk to. The clusterresolver element creates one and
 * publishes it in the process-wide Registry under its `cluster-id`; a
 * consumer expands a candidate `cluster://<cluster-id>/<path>` with
 * Registry::instance ().find (id)->resolve (path).
 *
 * Consumer contract:
 *  1. plan = cluster->resolve (path): the attempts, best first.
 *  2. Before trying attempt a: cluster->report_attempt (a).
 *  3. It worked: report_success (a); it failed: report_failure (a, reason).
 *  4. Every attempt failed: report_exhausted (path, reason).
 *  5. subscribe_down (cb): cb (notice) is called when a status callback says
 *     a host or a stream is down. A consumer using a URL that
 *     DownNotice::affects () treats it as an immediate failure with reason
 *     "cluster-down". Unsubscribe before the consumer goes away.
 *
 * Callbacks (observer, down subscribers) run on the thread that caused the
 * event, with no Cluster lock held; they must only record the fact and hand
 * the work to the consumer's own thread. They may call back into the
 * Cluster. Time comes from the clock function given at construction
 * (wall-clock nanoseconds since the Unix epoch in the element; injected in
 * tests).
 */
#pragma once

#include "resilient/cluster/discovery.h"
#include "resilient/cluster/resolver.h"

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace resilient::cluster {

/* What a status callback reported, as consumers see it. */
struct DownNotice
{
  std::string stream; /* empty: the whole host */
  std::string host;   /* empty: the stream on every host */
  bool down = true;   /* false: came back */

  /* Whether a consumer playing `url` (resolved for `path`) is hit. */
  bool affects (const std::string &path, const std::string &url) const;
};

struct ClusterEvent
{
  enum class Kind { Connect, ConnectFailed, Connected, Failed, Status };
  Kind kind;
  std::string host; /* host base URL (Connect, ConnectFailed, Connected) */
  int index = -1;   /* configured host index, -1 if discovery-only */
  std::string url;  /* the attempted URL */
  std::string path;
  std::string reason;               /* ConnectFailed, Failed */
  std::optional<DownNotice> notice; /* Status */
};

struct ClusterCounters
{
  std::uint64_t resolutions = 0;
  std::uint64_t attempts = 0;
  std::uint64_t successes = 0;
  std::uint64_t failures = 0;
  std::uint64_t exhausted = 0;
  std::uint64_t status_reports = 0;
  std::uint64_t discovery_used = 0;
  std::uint64_t discovery_failures = 0;
  std::vector<std::uint64_t> picks; /* per configured host: first attempts */
};

class Cluster
{
public:
  using Clock = std::function<TimePoint ()>;
  using Observer = std::function<void (const ClusterEvent &)>;
  using DownCallback = std::function<void (const DownNotice &)>;

  Cluster (Clock clock, std::uint64_t seed);

  /* Runs `fn` on the resolver under the lock (configuration). */
  void configure (const std::function<void (Resolver &)> &fn);
  /* Same, read-only. */
  void inspect (const std::function<void (const Resolver &)> &fn) const;

  Plan resolve (const std::string &path);
  void report_attempt (const Attempt &a, const std::string &path = {});
  void report_success (const Attempt &a, const std::string &path = {});
  /* `remember` false: the attempt is reported (connect-failed) but the
   * host is not put in the failure memory, e.g. for "cluster-down", where
   * the status report already steers the resolutions. */
  void report_failure (const Attempt &a, const std::string &reason,
                       const std::string &path = {}, bool remember = true);
  void report_exhausted (const std::string &path, const std::string &reason);

  /* From the status-callback listener. */
  void report_status (const StatusReport &r);

  std::uint64_t subscribe_down (DownCallback cb);
  void unsubscribe_down (std::uint64_t id);

  /* One observer: the element that owns the cluster. */
  void set_observer (Observer obs);
  /* Called at the start of every resolve (path), with no lock held, on the
   * resolving thread: the element refreshes discovery answers there. */
  void set_resolve_hook (std::function<void (const std::string &)> hook);
  /* Where state-file writes run: the element passes its control loop so
   * that consumers' threads never wait for the disk. Unset (the default, and
   * after the element is gone): on the reporting thread. */
  using Executor = std::function<void (std::function<void ()>)>;
  void set_write_executor (Executor ex);

  /* Persistence: when set, the memory is written there after each change.
   * Returns the number of records loaded from an existing file. */
  size_t set_state_file (const std::string &path);
  std::string state_file () const;
  /* The last write error, empty when the last write worked. */
  std::string state_error () const;

  void count_discovery (bool used_ok);
  ClusterCounters counters () const;
  TimePoint now () const { return clock_ (); }

private:
  std::uint64_t persist_locked (std::string &text, std::string &path);
  void write_state (const std::string &text, const std::string &path,
                    std::uint64_t seq);
  void emit (const ClusterEvent &ev);

  Clock clock_;
  mutable std::mutex lock_;
  Resolver resolver_;
  ClusterCounters counters_;
  std::string state_path_;
  std::string state_error_;
  std::mutex write_lock_;
  /* snapshots are numbered so that an older one never overwrites a newer
   * one, whatever thread writes them */
  std::uint64_t snapshot_seq_ = 0;
  std::uint64_t written_seq_ = 0; /* write_lock_ */
  Executor executor_;
  Observer observer_;
  std::function<void (const std::string &)> hook_;
  std::uint64_t next_sub_ = 1;
  std::vector<std::pair<std::uint64_t, DownCallback>> subs_;
};

/* The process-wide map cluster-id -> Cluster. */
class Registry
{
public:
  static Registry &instance ();

  /* Publishes `c` under `id`, replacing whatever was there. */
  void publish (const std::string &id, std::shared_ptr<Cluster> c);
  /* Removes `id` if it still maps to `c`. */
  void withdraw (const std::string &id, const Cluster *c);
  std::shared_ptr<Cluster> find (const std::string &id) const;
  std::vector<std::string> ids () const;

private:
  mutable std::mutex lock_;
  std::map<std::string, std::weak_ptr<Cluster>> clusters_;
};

struct ClusterUri
{
  std::string id;
  std::string path;
};

/* "cluster://eu/live/cam1?x=1" -> {"eu", "live/cam1?x=1"}; nullopt if the
 * scheme is not cluster:// or the id is empty. */
std::optional<ClusterUri> parse_cluster_uri (std::string_view uri);

} // namespace resilient::cluster
