#include "resilient/cluster/client.h"

namespace resilient::cluster {

ClusterClient::ClusterClient (std::string uri) : uri_ (std::move (uri))
{
  if (auto u = parse_cluster_uri (uri_)) {
    id_ = u->id;
    path_ = u->path;
  }
}

ClusterClient::~ClusterClient ()
{
  if (cluster_ && sub_)
    cluster_->unsubscribe_down (sub_);
}

bool
ClusterClient::attach (std::string &error)
{
  if (id_.empty ()) {
    error = "'" + uri_ + "' is not a cluster://<cluster-id>/<path> URI";
    return false;
  }
  cluster_ = Registry::instance ().find (id_);
  if (!cluster_) {
    error = "no clusterresolver with cluster-id '" + id_ + "' in this process";
    return false;
  }
  return true;
}

std::optional<Attempt>
ClusterClient::next ()
{
  if (!cluster_)
    return std::nullopt;
  if (next_ >= plan_.size ()) {
    Plan p = cluster_->resolve (path_);
    plan_ = std::move (p.attempts);
    note_ = p.note;
    next_ = 0;
    if (plan_.empty ()) {
      cluster_->report_exhausted (path_, note_.empty () ? "no-hosts" : note_);
      std::lock_guard<std::mutex> g (shared_->lock);
      shared_->current.reset ();
      return std::nullopt;
    }
  }
  Attempt a = plan_[next_++];
  {
    std::lock_guard<std::mutex> g (shared_->lock);
    shared_->current = a;
  }
  cluster_->report_attempt (a, path_);
  return a;
}

void
ClusterClient::succeeded ()
{
  auto a = current ();
  if (!cluster_ || !a)
    return;
  cluster_->report_success (*a, path_);
  /* a fresh plan next time the consumer needs one */
  plan_.clear ();
  next_ = 0;
}

void
ClusterClient::failed (const std::string &reason)
{
  auto a = current ();
  if (!cluster_ || !a)
    return;
  /* "cluster-down": the status report already steers the resolutions, the
   * host itself is not to blame, and the rest of the plan was made before
   * the report: resolve afresh next time. */
  bool down = reason == kClusterDownReason;
  cluster_->report_failure (*a, reason, path_, !down);
  if (down) {
    plan_.clear ();
    next_ = 0;
    return;
  }
  /* the last attempt of a plan failed; a failure after succeeded () (the
   * plan was dropped) is one host going away, not an exhausted cluster */
  if (!plan_.empty () && next_ >= plan_.size ()) {
    note_ = "all-hosts-failed";
    cluster_->report_exhausted (path_, note_);
    plan_.clear ();
    next_ = 0;
  }
}

void
ClusterClient::watch (std::function<void (const DownNotice &)> cb)
{
  if (!cluster_)
    return;
  if (sub_)
    cluster_->unsubscribe_down (sub_);
  std::shared_ptr<Shared> shared = shared_;
  std::string path = path_;
  sub_ = cluster_->subscribe_down (
      [shared, path, cb = std::move (cb)] (const DownNotice &n) {
        if (!n.down)
          return;
        std::optional<Attempt> a;
        {
          std::lock_guard<std::mutex> g (shared->lock);
          a = shared->current;
        }
        if (a && n.affects (path, a->url))
          cb (n);
      });
}

std::optional<Attempt>
ClusterClient::current () const
{
  std::lock_guard<std::mutex> g (shared_->lock);
  return shared_->current;
}

} // namespace resilient::cluster
