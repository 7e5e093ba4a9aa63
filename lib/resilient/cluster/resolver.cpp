#include "resilient/cluster/resolver.h"

#include "resilient/core/textlist.h"

#include <algorithm>
#include <cstdlib>

namespace resilient::cluster {

std::vector<std::string>
split_list (std::string_view text)
{
  return split_words (text, " \t\n\r|,");
}

std::vector<double>
parse_weights (std::string_view text)
{
  std::vector<double> out;
  for (auto &w : split_list (text)) {
    char *end = nullptr;
    double d = std::strtod (w.c_str (), &end);
    out.push_back (end && *end == '\0' ? d : 1.0);
  }
  return out;
}

std::string
normalise_host (std::string_view url)
{
  std::string s (url);
  while (s.size () > 1 && s.back () == '/' && s.find ("://") != s.size () - 3)
    s.pop_back ();
  return s;
}

std::string
join_url (std::string_view base, std::string_view path)
{
  std::string b (base), query;
  if (auto q = b.find ('?'); q != std::string::npos) {
    query = b.substr (q);
    b.resize (q);
  }
  b = normalise_host (b);
  while (!path.empty () && path.front () == '/')
    path.remove_prefix (1);
  if (path.empty ())
    return b + query;
  std::string p (path);
  if (!query.empty ()) {
    /* both carry a query: merge them */
    if (p.find ('?') != std::string::npos)
      query[0] = '&';
  }
  return b + "/" + p + query;
}

void
FailureMemory::record (const std::string &host, const std::string &reason,
                       TimePoint now, Duration expiry)
{
  if (expiry <= Duration::zero ()) {
    records_.erase (host);
    return;
  }
  records_[host] = FailureRecord{ reason, now, now + expiry };
}

void
FailureMemory::clear (const std::string &host)
{
  records_.erase (host);
}

const FailureRecord *
FailureMemory::active (const std::string &host, TimePoint now) const
{
  auto it = records_.find (host);
  if (it == records_.end () || it->second.expires_at <= now)
    return nullptr;
  return &it->second;
}

size_t
FailureMemory::expire (TimePoint now)
{
  size_t n = 0;
  for (auto it = records_.begin (); it != records_.end ();) {
    if (it->second.expires_at <= now) {
      it = records_.erase (it);
      n++;
    } else {
      ++it;
    }
  }
  return n;
}

Resolver::Resolver (std::uint64_t seed) : rng_ (seed) {}

void
Resolver::set_hosts (std::vector<Host> hosts)
{
  for (auto &h : hosts)
    h.url = normalise_host (h.url);
  hosts_ = std::move (hosts);
}

int
Resolver::index_of (const std::string &host) const
{
  std::string h = normalise_host (host);
  for (size_t i = 0; i < hosts_.size (); i++)
    if (hosts_[i].url == h)
      return static_cast<int> (i);
  return -1;
}

int
Resolver::host_of_url (const std::string &url) const
{
  int best = -1;
  size_t best_len = 0;
  for (size_t i = 0; i < hosts_.size (); i++) {
    const std::string &b = hosts_[i].url;
    if (url.compare (0, b.size (), b) == 0
        && (url.size () == b.size () || url[b.size ()] == '/'
            || url[b.size ()] == '?')
        && b.size () > best_len) {
      best = static_cast<int> (i);
      best_len = b.size ();
    }
  }
  return best;
}

void
Resolver::report_success (const std::string &host)
{
  memory_.clear (normalise_host (host));
}

void
Resolver::report_failure (const std::string &host, const std::string &reason,
                          TimePoint now)
{
  memory_.record (normalise_host (host), reason, now, expiry_);
}

static Duration
down_duration (Duration expiry)
{
  return std::max (expiry, Resolver::kMinDown);
}

void
Resolver::set_host_down (const std::string &host, bool down, TimePoint now)
{
  std::string h = normalise_host (host);
  if (down)
    host_down_[h] = now + down_duration (expiry_);
  else
    host_down_.erase (h);
}

void
Resolver::set_stream_down (const std::string &path, const std::string &host,
                           bool down, TimePoint now)
{
  std::string key = path + '\n' + (host.empty () ? "" : normalise_host (host));
  if (down) {
    stream_down_[key] = now + down_duration (expiry_);
  } else {
    stream_down_.erase (key);
    if (host.empty ()) {
      /* "online" for the stream clears every per-host report of it too */
      std::string prefix = path + '\n';
      for (auto it = stream_down_.begin (); it != stream_down_.end ();) {
        if (it->first.compare (0, prefix.size (), prefix) == 0)
          it = stream_down_.erase (it);
        else
          ++it;
      }
    }
  }
}

bool
Resolver::host_down (const std::string &host, TimePoint now) const
{
  auto it = host_down_.find (normalise_host (host));
  return it != host_down_.end () && it->second > now;
}

bool
Resolver::stream_down (const std::string &path, const std::string &host,
                       TimePoint now) const
{
  auto all = stream_down_.find (path + '\n');
  if (all != stream_down_.end () && all->second > now)
    return true;
  if (host.empty ())
    return false;
  auto one = stream_down_.find (path + '\n' + normalise_host (host));
  return one != stream_down_.end () && one->second > now;
}

void
Resolver::set_endpoint (const std::string &path, const std::string &url,
                        TimePoint valid_until)
{
  endpoints_[path] = Endpoint{ url, valid_until };
}

std::optional<std::string>
Resolver::endpoint (const std::string &path, TimePoint now) const
{
  auto it = endpoints_.find (path);
  if (it == endpoints_.end () || it->second.valid_until <= now)
    return std::nullopt;
  return it->second.url;
}

std::vector<Host>
Resolver::apply_strategy (std::vector<Host> eligible)
{
  switch (strategy_) {
  case Strategy::Ordered:
    break;
  case Strategy::RoundRobin:
    if (!eligible.empty ()) {
      size_t start = rr_next_++ % eligible.size ();
      std::rotate (eligible.begin (), eligible.begin () + start,
                   eligible.end ());
    }
    break;
  case Strategy::Random: {
    /* Random without replacement per cycle: the first host is drawn
     * uniformly among the eligible hosts that have not led a plan yet in
     * this cycle, so every N resolutions each host leads once and the
     * load stays even however few resolutions a process makes. */
    std::shuffle (eligible.begin (), eligible.end (), rng_);
    if (eligible.empty ())
      break;
    auto in_bag = [&] (const Host &h) {
      return std::find (bag_.begin (), bag_.end (), h.url) != bag_.end ();
    };
    if (std::none_of (eligible.begin (), eligible.end (), in_bag)) {
      bag_.clear ();
      for (auto &h : hosts_)
        bag_.push_back (h.url);
      for (auto &h : eligible)
        if (!in_bag (h))
          bag_.push_back (h.url);
    }
    auto lead = std::find_if (eligible.begin (), eligible.end (), in_bag);
    std::rotate (eligible.begin (), lead, lead + 1);
    bag_.erase (std::find (bag_.begin (), bag_.end (), eligible.front ().url));
    break;
  }
  case Strategy::Weighted: {
    /* Draw without replacement, each remaining host in proportion to its
     * weight; hosts with no weight go last in their configured order. */
    std::vector<Host> out, zero;
    std::vector<Host> pool;
    for (auto &h : eligible)
      (h.weight > 0 ? pool : zero).push_back (h);
    while (!pool.empty ()) {
      double total = 0;
      for (auto &h : pool)
        total += h.weight;
      std::uniform_real_distribution<double> dist (0.0, total);
      double r = dist (rng_);
      size_t pick = pool.size () - 1;
      for (size_t i = 0; i < pool.size (); i++) {
        if (r < pool[i].weight) {
          pick = i;
          break;
        }
        r -= pool[i].weight;
      }
      out.push_back (pool[pick]);
      pool.erase (pool.begin () + pick);
    }
    out.insert (out.end (), zero.begin (), zero.end ());
    eligible = std::move (out);
    break;
  }
  }
  return eligible;
}

Plan
Resolver::plan (const std::string &path, TimePoint now)
{
  Plan plan;
  memory_.expire (now);

  if (stream_down (path, "", now)) {
    plan.note = "stream-down";
    return plan;
  }

  bool steering = steering_ && steering_->valid_until > now;
  std::vector<Host> base = steering ? steering_->hosts : hosts_;
  if (steering) {
    /* configured hosts the manifest does not name stay as a last resort */
    for (auto &h : hosts_) {
      bool named = std::any_of (base.begin (), base.end (),
                                [&] (const Host &b) { return b.url == h.url; });
      if (!named)
        base.push_back (h);
    }
  }

  std::vector<Host> available, failed;
  for (auto &h : base) {
    if (host_down (h.url, now) || stream_down (path, h.url, now))
      continue;
    (memory_.active (h.url, now) ? failed : available).push_back (h);
  }

  std::vector<Host> order;
  int loops = loops_;
  if (!available.empty ()) {
    if (steering) {
      /* the manifest's priority is the order; the strategy only spreads the
       * hosts it does not name */
      size_t named = 0;
      for (auto &h : available) {
        bool in_manifest
            = std::any_of (steering_->hosts.begin (), steering_->hosts.end (),
                           [&] (const Host &s) { return s.url == h.url; });
        if (!in_manifest)
          break;
        named++;
      }
      std::vector<Host> rest (available.begin () + named, available.end ());
      available.resize (named);
      rest = apply_strategy (std::move (rest));
      available.insert (available.end (), rest.begin (), rest.end ());
      order = std::move (available);
    } else {
      order = apply_strategy (std::move (available));
    }
  } else if (!failed.empty ()) {
    /* Every usable host is remembered as failed: the memory never makes a
     * cluster unusable. Try them once, soonest expiry first. */
    std::stable_sort (failed.begin (), failed.end (),
                      [&] (const Host &a, const Host &b) {
                        return memory_.active (a.url, now)->expires_at
                               < memory_.active (b.url, now)->expires_at;
                      });
    order = std::move (failed);
    loops = 1;
    plan.note = "all-remembered-failed";
  }

  std::optional<std::string> ep = endpoint (path, now);
  if (ep) {
    int idx = host_of_url (*ep);
    std::string host = idx >= 0 ? hosts_[idx].url : *ep;
    if (!host_down (host, now) && !stream_down (path, host, now)
        && !memory_.active (host, now))
      plan.attempts.push_back (Attempt{ *ep, host, idx, 0, true });
  }

  for (int l = 0; l < loops; l++) {
    for (auto &h : order) {
      if (l == 0 && ep && join_url (h.url, path) == *ep)
        continue;
      plan.attempts.push_back (
          Attempt{ join_url (h.url, path), h.url, index_of (h.url), l, false });
    }
  }
  if (plan.attempts.empty () && plan.note.empty ())
    plan.note = hosts_.empty () && !steering ? "no-hosts" : "all-hosts-down";
  return plan;
}

const char *
strategy_name (Strategy s)
{
  switch (s) {
  case Strategy::Ordered:
    return "ordered";
  case Strategy::Random:
    return "random";
  case Strategy::RoundRobin:
    return "round-robin";
  case Strategy::Weighted:
    return "weighted";
  }
  return "ordered";
}

std::optional<Strategy>
strategy_from_name (std::string_view name)
{
  if (name == "ordered")
    return Strategy::Ordered;
  if (name == "random")
    return Strategy::Random;
  if (name == "round-robin")
    return Strategy::RoundRobin;
  if (name == "weighted")
    return Strategy::Weighted;
  return std::nullopt;
}

} // namespace resilient::cluster
