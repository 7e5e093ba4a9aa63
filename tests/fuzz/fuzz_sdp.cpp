/* SDP answers and counter-offers from a WHIP/WHEP server: parse, print,
 * check against an offer, trickle helpers. Input: answer [NUL offer]. */
#include "fuzz_input.h"
#include "resilient/whip/sdp.h"

using namespace resilient::whip;

extern "C" int
LLVMFuzzerTestOneInput (const std::uint8_t *data, std::size_t size)
{
  auto parts = resilient::fuzz::split_input (data, size, 2);
  const std::string &answer = parts[0];
  const std::string offer = parts.size () > 1 ? parts[1] : parts[0];

  if (auto sdp = Sdp::parse (answer)) {
    for (const auto &m : sdp->media) {
      (void)m.kind ();
      (void)m.port ();
      (void)m.formats ();
      (void)m.mid ();
      (void)m.direction ();
      (void)m.attrs ("candidate");
    }
    (void)sdp->bundle_mids ();
    (void)sdp->session_attr ("group");
    /* What we print must parse again to the same sections. */
    auto again = Sdp::parse (sdp->to_string ());
    if (!again || again->media.size () != sdp->media.size ())
      resilient::fuzz::fuzz_fail ("Sdp::to_string does not parse back");
  }
  OfferFixups whip;
  whip.add_msid = true;
  (void)fix_offer (answer, whip);
  (void)fix_offer (answer, OfferFixups ());
  (void)check_answer (offer, answer, "sendonly");
  std::vector<std::string> active;
  (void)check_answer_partial (offer, answer, "recvonly", active);
  if (auto t = trickle_target (answer))
    (void)build_sdpfrag (*t, candidates_of (answer), true);
  (void)strip_candidates (answer);
  return 0;
}
