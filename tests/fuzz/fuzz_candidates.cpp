/* failoversrc's `uris` list and clusterresolver's host and weight lists, as
 * a user or an application types them. Input: the list. */
#include "fuzz_input.h"
#include "resilient/cluster/cluster.h"
#include "resilient/cluster/resolver.h"
#include "resilient/failover/candidates.h"

extern "C" int
LLVMFuzzerTestOneInput (const std::uint8_t *data, std::size_t size)
{
  std::string_view text (reinterpret_cast<const char *> (data), size);
  using namespace resilient;
  auto uris = failover::split_uri_list (text);
  for (const auto &u : uris) {
    if (u.empty ())
      fuzz::fuzz_fail ("split_uri_list kept an empty entry");
    (void)failover::parse_candidate (u);
    (void)cluster::parse_cluster_uri (u);
  }
  /* The `uris` property reads back what it was given. */
  if (failover::split_uri_list (failover::join_uri_list (uris)) != uris)
    fuzz::fuzz_fail ("split_uri_list (join_uri_list (l)) != l");
  for (const auto &h : cluster::split_list (text)) {
    (void)cluster::normalise_host (h);
    (void)cluster::join_url (h, "cam1");
  }
  (void)cluster::parse_weights (text);
  return 0;
}
