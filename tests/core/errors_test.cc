#include "core/errors.h"

#include <boost/json.hpp>
#include <gtest/gtest.h>

namespace kscale::core {
namespace {

TEST(ErrorTest, MetricNotFoundMessagesMatchUpstream) {
  EXPECT_EQ(Error::metric_not_found("pods", "m").message,
            "the server could not find the metric m for pods");
  EXPECT_EQ(Error::metric_not_found_for("pods", "m", "p1").message,
            "the server could not find the metric m for pods p1");
  EXPECT_EQ(Error::metric_not_found_for_selector("pods", "m", "p1", "method=POST").message,
            "the server could not find the metric m for pods p1 with selector method=POST");
  EXPECT_EQ(Error::metric_not_found("pods", "m").code, 404);
}

TEST(ErrorTest, StatusJsonHasEveryRequiredField) {
  const auto v = boost::json::parse(to_status_json(Error::metric_not_found_for("pods", "m", "p4")));
  EXPECT_EQ(v.at("kind"), "Status");
  EXPECT_EQ(v.at("apiVersion"), "v1");
  EXPECT_TRUE(v.at("metadata").as_object().empty());
  EXPECT_EQ(v.at("status"), "Failure");
  EXPECT_EQ(v.at("reason"), "NotFound");
  EXPECT_EQ(v.at("code"), 404);
}

TEST(ErrorTest, RouteNotFoundCarriesEmptyDetails) {
  const auto v = boost::json::parse(to_status_json(Error::route_not_found()));
  EXPECT_TRUE(v.at("details").as_object().empty());
  EXPECT_EQ(v.at("message"), "the server could not find the requested resource");
}

TEST(ErrorTest, InvalidNamesTheFieldInCauses) {
  const auto v = boost::json::parse(to_status_json(Error::invalid("items[2].value", "bad")));
  EXPECT_EQ(v.at("code"), 400);
  EXPECT_EQ(v.at("details").at("causes").at(0).at("field"), "items[2].value");
}

TEST(ErrorTest, WithContextKeepsCode) {
  const Error e = Error::too_large("body too big").with_context("write");
  EXPECT_EQ(e.code, 413);
  EXPECT_EQ(e.message, "write: body too big");
}

}  // namespace
}  // namespace kscale::core
