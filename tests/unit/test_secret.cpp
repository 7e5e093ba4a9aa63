#include "resilient/core/secret.h"

#include <gtest/gtest.h>

#include <string>

using resilient::constant_time_equal;

TEST (ConstantTimeEqual, EqualOnlyWhenEveryByteAndTheLengthMatch)
{
  EXPECT_TRUE (constant_time_equal ("s3cret", "s3cret"));
  EXPECT_TRUE (constant_time_equal ("", ""));
  EXPECT_FALSE (constant_time_equal ("s3cret", "s3cre"));
  EXPECT_FALSE (constant_time_equal ("s3cret", "s3cret!"));
  EXPECT_FALSE (constant_time_equal ("s3cret", "S3cret"));
  EXPECT_FALSE (constant_time_equal ("s3cret", ""));
  EXPECT_FALSE (constant_time_equal ("", "x"));
  /* a prefix padded with NULs is not the secret */
  EXPECT_FALSE (constant_time_equal ("ab", std::string ("a\0", 2)));
  EXPECT_FALSE (constant_time_equal (std::string ("a\0", 2), "a"));
}
