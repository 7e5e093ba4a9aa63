#include "cluster/resolveaction.h"

#include "cluster/hostprobe.h"

namespace resilient::gst {

using cluster::Attempt;
using cluster::Resolver;

std::optional<std::string>
resolve_with_probe (cluster::Cluster &c, const std::string &path, bool probe,
                    guint timeout_ms)
{
  /* discovery, if configured, runs inside resolve () through the hook */
  cluster::Plan plan = c.resolve (path);
  if (plan.attempts.empty ()) {
    c.report_exhausted (path, plan.note);
    return std::nullopt;
  }
  for (auto &a : plan.attempts) {
    c.report_attempt (a, path);
    if (!probe)
      return a.url;
    std::string reason;
    bool skipped = false;
    if (probe_host_url (a.url, timeout_ms, reason, skipped)) {
      if (!skipped)
        c.report_success (a, path);
      return a.url;
    }
    c.report_failure (a, reason, path);
  }
  c.report_exhausted (path, "all-hosts-failed");
  return std::nullopt;
}

Attempt
attempt_for_url (cluster::Cluster &c, const std::string &url)
{
  Attempt a;
  a.url = url;
  c.inspect ([&] (const Resolver &r) {
    a.host_index = r.host_of_url (url);
    a.host = a.host_index >= 0 ? r.hosts ()[a.host_index].url
                               : cluster::normalise_host (url);
  });
  return a;
}

} // namespace resilient::gst
