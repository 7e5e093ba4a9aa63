/* gst-resilient: which host of a cluster serves a stream.
 *
 * A cluster is a list of hosts (base URLs of any scheme). A stream path is
 * joined to each host ("rtmp://b/live" + "cam1" = "rtmp://b/live/cam1"),
 * and the Resolver answers, for one path at one instant, the ordered list
 * of attempts a consumer should make. The order comes from the strategy
 * (ordered, random, round-robin, weighted), from the failure memory (a host
 * that failed is skipped until its failure expires), from status reports
 * (a host or stream reported down is avoided at once) and from discovery
 * (an endpoint answered by an API goes first; a content-steering pathway
 * priority replaces the strategy while its TTL lasts). The list repeats for
 * `loops` rounds; an empty list means "give up now" and says why.
 *
 * Time is passed in. The failure memory survives a restart (see
 * state_file.h), so the element feeds it wall-clock time: nanoseconds since
 * the Unix epoch.
 */
#pragma once

#include "resilient/core/time.h"

#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace resilient::cluster {

enum class Strategy {
  Ordered,    /* hosts in the configured order (fallback only) */
  Random,     /* a fresh random order for every resolution (load
               * balancing); the leading host is drawn without replacement
               * per cycle of N resolutions */
  RoundRobin, /* the first host moves on by one at every resolution */
  Weighted,   /* random order, each host drawn in proportion to its weight */
};

struct Host
{
  std::string url;     /* base URL, no trailing slash */
  double weight = 1.0; /* Weighted strategy only; <= 0 puts the host last */
};

/* Splits a host or candidate list on whitespace, '|' and ','. */
std::vector<std::string> split_list (std::string_view text);
/* Parses a list of weights ("3 1 1"); entries that are not numbers are 1. */
std::vector<double> parse_weights (std::string_view text);
/* Joins a base URL and a stream path with exactly one '/'. An empty path
 * gives the base itself. A query on the base is kept at the end. */
std::string join_url (std::string_view base, std::string_view path);
/* Drops trailing slashes. */
std::string normalise_host (std::string_view url);

struct Attempt
{
  std::string url;         /* what to connect to */
  std::string host;        /* the host (base URL) it belongs to, the key of
                            * the failure memory */
  int host_index = -1;     /* index in the configured hosts, -1 for a host
                            * that only discovery knows */
  int loop = 0;            /* 0-based round over the hosts */
  bool discovered = false; /* came from an endpoint-discovery answer */
};

struct Plan
{
  std::vector<Attempt> attempts;
  /* Why the plan is empty (or, when not empty, a note such as
   * "all-remembered-failed"): "no-hosts", "stream-down". */
  std::string note;
};

struct FailureRecord
{
  std::string reason;
  TimePoint failed_at{};
  TimePoint expires_at{};
};

/* Failures of hosts, keyed by host URL, each with its expiry. */
class FailureMemory
{
public:
  /* Remembers a failure until now + expiry; an expiry of 0 forgets it. */
  void record (const std::string &host, const std::string &reason,
               TimePoint now, Duration expiry);
  void clear (const std::string &host);
  void clear_all () { records_.clear (); }
  /* The unexpired record of a host, if any. */
  const FailureRecord *active (const std::string &host, TimePoint now) const;
  /* Drops expired records; returns how many were dropped. */
  size_t expire (TimePoint now);
  /* Inserts a record as is (loading a state file). */
  void restore (const std::string &host, const FailureRecord &r)
  {
    records_[host] = r;
  }
  const std::map<std::string, FailureRecord> &records () const
  {
    return records_;
  }

private:
  std::map<std::string, FailureRecord> records_;
};

/* A content-steering verdict: these hosts, in this order, until then. */
struct SteeringOrder
{
  std::vector<Host> hosts;
  TimePoint valid_until{};
};

class Resolver
{
public:
  explicit Resolver (std::uint64_t seed = 0x5eed);

  void set_hosts (std::vector<Host> hosts);
  const std::vector<Host> &hosts () const { return hosts_; }
  void set_strategy (Strategy s) { strategy_ = s; }
  Strategy strategy () const { return strategy_; }
  /* Rounds over all hosts before giving up, at least 1. */
  void set_loops (int loops) { loops_ = loops < 1 ? 1 : loops; }
  int loops () const { return loops_; }
  /* How long a failed host is skipped; 0 disables the memory. */
  void set_failure_expiry (Duration d) { expiry_ = d; }
  Duration failure_expiry () const { return expiry_; }
  void reseed (std::uint64_t seed) { rng_.seed (seed); }

  /* The attempts for `path` at `now`. */
  Plan plan (const std::string &path, TimePoint now);

  /* A connection to `host` worked: its failure is forgotten. */
  void report_success (const std::string &host);
  /* A connection to `host` failed: it is skipped until now + expiry. */
  void report_failure (const std::string &host, const std::string &reason,
                       TimePoint now);

  /* Status reports. A host reported down is left out of every plan; a
   * stream reported down (on every host when `host` is empty) is left out
   * of the plans for that path. A report lasts until the matching "up"
   * report or until now + failure expiry (at least `min_down`), whichever
   * comes first, so a lost "up" callback cannot block a host forever. */
  void set_host_down (const std::string &host, bool down, TimePoint now);
  void set_stream_down (const std::string &path, const std::string &host,
                        bool down, TimePoint now);
  bool host_down (const std::string &host, TimePoint now) const;
  bool stream_down (const std::string &path, const std::string &host,
                    TimePoint now) const;

  /* Discovery results. */
  void set_steering (SteeringOrder order) { steering_ = std::move (order); }
  void clear_steering () { steering_.reset (); }
  const std::optional<SteeringOrder> &steering () const { return steering_; }
  void set_endpoint (const std::string &path, const std::string &url,
                     TimePoint valid_until);
  void clear_endpoints () { endpoints_.clear (); }
  std::optional<std::string> endpoint (const std::string &path,
                                       TimePoint now) const;

  FailureMemory &memory () { return memory_; }
  const FailureMemory &memory () const { return memory_; }

  /* The index of `host` in the configured list, -1 if absent. */
  int index_of (const std::string &host) const;
  /* The configured host a full URL belongs to (longest matching base). */
  int host_of_url (const std::string &url) const;

  static constexpr Duration kMinDown = std::chrono::seconds (10);

private:
  std::vector<Host> ordered_hosts (TimePoint now);
  std::vector<Host> apply_strategy (std::vector<Host> eligible);

  std::vector<Host> hosts_;
  Strategy strategy_ = Strategy::Ordered;
  int loops_ = 1;
  Duration expiry_ = ms (60000);
  std::mt19937_64 rng_;
  std::uint64_t rr_next_ = 0;
  std::vector<std::string> bag_; /* Random: hosts yet to lead this cycle */
  FailureMemory memory_;
  std::map<std::string, TimePoint> host_down_;
  /* key: path + '\n' + host ("" = every host) */
  std::map<std::string, TimePoint> stream_down_;
  std::optional<SteeringOrder> steering_;
  struct Endpoint
  {
    std::string url;
    TimePoint valid_until;
  };
  std::map<std::string, Endpoint> endpoints_;
};

const char *strategy_name (Strategy s);
std::optional<Strategy> strategy_from_name (std::string_view name);

} // namespace resilient::cluster
