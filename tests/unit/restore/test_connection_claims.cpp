/* ConnectionClaims: which publish session a TCP connection opened inside
 * a library (rtmp2sink) belongs to. */
#include "resilient/restore/connection_claims.h"

#include <gtest/gtest.h>

using resilient::restore::ConnectionClaims;

TEST (ConnectionClaims, AConnectionGoesToTheSessionOfItsDestination)
{
  ConnectionClaims c;
  auto primary = c.add ("a.example", 1935);
  auto backup = c.add ("b.example", 1935);
  /* Same port, other hosts: the host decides, not the order. */
  EXPECT_EQ (c.claim ("B.example", 1935), backup);
  EXPECT_EQ (c.claim ("a.example", 1935), primary);
  EXPECT_EQ (c.connections (primary), 1);
  EXPECT_EQ (c.connections (backup), 1);
}

TEST (ConnectionClaims, NobodyOwnsAConnectionToADestinationNoSessionAdded)
{
  ConnectionClaims c;
  EXPECT_FALSE (c.claim ("127.0.0.1", 1935));
  auto id = c.add ("127.0.0.1", 1935);
  EXPECT_FALSE (c.claim ("127.0.0.1", 1936));
  EXPECT_FALSE (c.claim ("127.0.0.2", 1935));
  c.remove (id);
  EXPECT_FALSE (c.claim ("127.0.0.1", 1935));
  EXPECT_EQ (c.size (), 0u);
}

TEST (ConnectionClaims, SessionsOfOneDestinationGetConnectionsInTheOrderAdded)
{
  ConnectionClaims c;
  auto first = c.add ("127.0.0.1", 1935);
  auto second = c.add ("127.0.0.1", 1935);
  EXPECT_EQ (c.claim ("127.0.0.1", 1935), first);
  EXPECT_EQ (c.claim ("127.0.0.1", 1935), second);
  /* A further connect (an authentication reconnect) goes to the newest. */
  EXPECT_EQ (c.claim ("127.0.0.1", 1935), second);
  EXPECT_EQ (c.connections (first), 1);
  EXPECT_EQ (c.connections (second), 2);
  /* A session added later starts with none and gets the next one. */
  c.remove (first);
  auto third = c.add ("127.0.0.1", 1935);
  EXPECT_EQ (c.claim ("127.0.0.1", 1935), third);
}

TEST (ConnectionClaims, AConnectWithoutAHostNameMatchesThePort)
{
  ConnectionClaims c;
  auto id = c.add ("localhost", 1935);
  EXPECT_EQ (c.claim ("", 1935), id);
  EXPECT_FALSE (c.claim ("", 80));
}
