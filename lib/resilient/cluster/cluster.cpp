#include "resilient/cluster/cluster.h"

#include "resilient/cluster/state_file.h"

#include <algorithm>

namespace resilient::cluster {

bool
DownNotice::affects (const std::string &path, const std::string &url) const
{
  if (!stream.empty () && stream != path) {
    /* the alias may be the last segment of a longer path */
    auto slash = path.find_last_of ('/');
    std::string last
        = slash == std::string::npos ? path : path.substr (slash + 1);
    if (last != stream)
      return false;
  }
  if (host.empty ())
    return true;
  return url.compare (0, host.size (), host) == 0
         && (url.size () == host.size () || url[host.size ()] == '/'
             || url[host.size ()] == '?');
}

Cluster::Cluster (Clock clock, std::uint64_t seed)
    : clock_ (std::move (clock)), resolver_ (seed)
{
}

void
Cluster::configure (const std::function<void (Resolver &)> &fn)
{
  std::lock_guard<std::mutex> g (lock_);
  fn (resolver_);
  counters_.picks.resize (resolver_.hosts ().size ());
}

void
Cluster::inspect (const std::function<void (const Resolver &)> &fn) const
{
  std::lock_guard<std::mutex> g (lock_);
  fn (resolver_);
}

void
Cluster::set_resolve_hook (std::function<void (const std::string &)> hook)
{
  std::lock_guard<std::mutex> g (lock_);
  hook_ = std::move (hook);
}

Plan
Cluster::resolve (const std::string &path)
{
  std::function<void (const std::string &)> hook;
  {
    std::lock_guard<std::mutex> g (lock_);
    hook = hook_;
  }
  if (hook)
    hook (path);
  TimePoint now = clock_ ();
  std::string text, file;
  std::uint64_t seq = 0;
  Plan p;
  {
    std::lock_guard<std::mutex> g (lock_);
    size_t before = resolver_.memory ().records ().size ();
    p = resolver_.plan (path, now);
    /* failures that expired leave the file too */
    if (resolver_.memory ().records ().size () != before)
      seq = persist_locked (text, file);
    counters_.resolutions++;
    counters_.picks.resize (resolver_.hosts ().size ());
    if (!p.attempts.empty () && p.attempts.front ().host_index >= 0)
      counters_.picks[p.attempts.front ().host_index]++;
  }
  write_state (text, file, seq);
  return p;
}

void
Cluster::emit (const ClusterEvent &ev)
{
  Observer obs;
  {
    std::lock_guard<std::mutex> g (lock_);
    obs = observer_;
  }
  if (obs)
    obs (ev);
}

void
Cluster::report_attempt (const Attempt &a, const std::string &path)
{
  {
    std::lock_guard<std::mutex> g (lock_);
    counters_.attempts++;
  }
  emit (ClusterEvent{ ClusterEvent::Kind::Connect,
                      a.host,
                      a.host_index,
                      a.url,
                      path,
                      {},
                      std::nullopt });
}

std::uint64_t
Cluster::persist_locked (std::string &text, std::string &path)
{
  path = state_path_;
  if (path.empty ())
    return 0;
  text = serialise_memory (resolver_.memory ());
  return ++snapshot_seq_;
}

void
Cluster::set_write_executor (Executor ex)
{
  std::lock_guard<std::mutex> g (lock_);
  executor_ = std::move (ex);
}

void
Cluster::write_state (const std::string &text, const std::string &path,
                      std::uint64_t seq)
{
  if (path.empty () || seq == 0)
    return;
  Executor ex;
  {
    std::lock_guard<std::mutex> g (lock_);
    ex = executor_;
  }
  auto write = [this, text, path, seq] {
    std::lock_guard<std::mutex> w (write_lock_);
    if (seq <= written_seq_)
      return; /* a newer snapshot is already on disk */
    written_seq_ = seq;
    std::string err;
    bool ok = write_file_atomically (path, text, err);
    std::lock_guard<std::mutex> g (lock_);
    state_error_ = ok ? std::string () : err;
  };
  if (ex)
    ex (std::move (write));
  else
    write ();
}

void
Cluster::report_success (const Attempt &a, const std::string &path)
{
  std::string text, file;
  std::uint64_t seq = 0;
  bool changed;
  {
    std::lock_guard<std::mutex> g (lock_);
    counters_.successes++;
    changed = resolver_.memory ().records ().count (a.host) > 0;
    resolver_.report_success (a.host);
    if (changed)
      seq = persist_locked (text, file);
  }
  if (changed)
    write_state (text, file, seq);
  emit (ClusterEvent{ ClusterEvent::Kind::Connected,
                      a.host,
                      a.host_index,
                      a.url,
                      path,
                      {},
                      std::nullopt });
}

void
Cluster::report_failure (const Attempt &a, const std::string &reason,
                         const std::string &path, bool remember)
{
  TimePoint now = clock_ ();
  std::string text, file;
  std::uint64_t seq = 0;
  {
    std::lock_guard<std::mutex> g (lock_);
    counters_.failures++;
    if (remember) {
      resolver_.report_failure (a.host, reason, now);
      seq = persist_locked (text, file);
    }
  }
  write_state (text, file, seq);
  emit (ClusterEvent{ ClusterEvent::Kind::ConnectFailed, a.host, a.host_index,
                      a.url, path, reason, std::nullopt });
}

void
Cluster::report_exhausted (const std::string &path, const std::string &reason)
{
  {
    std::lock_guard<std::mutex> g (lock_);
    counters_.exhausted++;
  }
  emit (ClusterEvent{
      ClusterEvent::Kind::Failed, {}, -1, {}, path, reason, std::nullopt });
}

void
Cluster::report_status (const StatusReport &r)
{
  TimePoint now = clock_ ();
  DownNotice notice{ r.stream, r.host, !r.online };
  std::vector<DownCallback> subs;
  {
    std::lock_guard<std::mutex> g (lock_);
    counters_.status_reports++;
    if (r.stream.empty ())
      resolver_.set_host_down (r.host, !r.online, now);
    else
      resolver_.set_stream_down (r.stream, r.host, !r.online, now);
    for (auto &[id, cb] : subs_)
      subs.push_back (cb);
  }
  for (auto &cb : subs)
    cb (notice);
  emit (ClusterEvent{ ClusterEvent::Kind::Status,
                      r.host,
                      -1,
                      {},
                      r.stream,
                      r.online ? "online" : "offline",
                      notice });
}

std::uint64_t
Cluster::subscribe_down (DownCallback cb)
{
  std::lock_guard<std::mutex> g (lock_);
  std::uint64_t id = next_sub_++;
  subs_.emplace_back (id, std::move (cb));
  return id;
}

void
Cluster::unsubscribe_down (std::uint64_t id)
{
  std::lock_guard<std::mutex> g (lock_);
  subs_.erase (std::remove_if (subs_.begin (), subs_.end (),
                               [id] (auto &p) { return p.first == id; }),
               subs_.end ());
}

void
Cluster::set_observer (Observer obs)
{
  std::lock_guard<std::mutex> g (lock_);
  observer_ = std::move (obs);
}

size_t
Cluster::set_state_file (const std::string &path)
{
  TimePoint now = clock_ ();
  std::string text;
  bool have = !path.empty () && read_file (path, text);
  std::lock_guard<std::mutex> g (lock_);
  state_path_ = path;
  state_error_.clear ();
  if (!have)
    return 0;
  return parse_memory (text, now, resolver_.memory ());
}

std::string
Cluster::state_file () const
{
  std::lock_guard<std::mutex> g (lock_);
  return state_path_;
}

std::string
Cluster::state_error () const
{
  std::lock_guard<std::mutex> g (lock_);
  return state_error_;
}

void
Cluster::count_discovery (bool used_ok)
{
  std::lock_guard<std::mutex> g (lock_);
  (used_ok ? counters_.discovery_used : counters_.discovery_failures)++;
}

ClusterCounters
Cluster::counters () const
{
  std::lock_guard<std::mutex> g (lock_);
  return counters_;
}

Registry &
Registry::instance ()
{
  static Registry r;
  return r;
}

void
Registry::publish (const std::string &id, std::shared_ptr<Cluster> c)
{
  std::lock_guard<std::mutex> g (lock_);
  clusters_[id] = c;
}

void
Registry::withdraw (const std::string &id, const Cluster *c)
{
  std::lock_guard<std::mutex> g (lock_);
  auto it = clusters_.find (id);
  if (it == clusters_.end ())
    return;
  auto cur = it->second.lock ();
  if (!cur || cur.get () == c)
    clusters_.erase (it);
}

std::shared_ptr<Cluster>
Registry::find (const std::string &id) const
{
  std::lock_guard<std::mutex> g (lock_);
  auto it = clusters_.find (id);
  return it == clusters_.end () ? nullptr : it->second.lock ();
}

std::vector<std::string>
Registry::ids () const
{
  std::lock_guard<std::mutex> g (lock_);
  std::vector<std::string> out;
  for (auto &[id, w] : clusters_)
    if (!w.expired ())
      out.push_back (id);
  return out;
}

std::optional<ClusterUri>
parse_cluster_uri (std::string_view uri)
{
  constexpr std::string_view scheme = "cluster://";
  if (uri.size () <= scheme.size ())
    return std::nullopt;
  for (size_t i = 0; i < scheme.size (); i++)
    if (std::tolower (static_cast<unsigned char> (uri[i])) != scheme[i])
      return std::nullopt;
  uri.remove_prefix (scheme.size ());
  auto slash = uri.find ('/');
  ClusterUri out;
  out.id = std::string (uri.substr (0, slash));
  if (out.id.empty ())
    return std::nullopt;
  if (slash != std::string_view::npos)
    out.path = std::string (uri.substr (slash + 1));
  return out;
}

} // namespace resilient::cluster
