//! The conditions under which a rule runs without a step asking, as data: the check and run
//! stages and `scimcheck list` name the same condition, and its words live in one place.

use std::fmt;

/// When a rule that no step names runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// Every step that was sent.
    EveryStep,
    /// A create (`POST /Users`, `POST /Groups`) answered 2xx.
    CreateAnswered2xx,
    /// A response whose body is JSON.
    JsonBody,
    /// A success response that carries a body.
    SuccessWithBody,
    /// A success other than 204 on a step that names a schema.
    SuccessNamingSchema,
    /// A step that names a schema.
    StepNamesSchema,
    /// A returned User or Group, alone or among a list's Resources.
    ResourceOrList,
    /// A single returned User or Group.
    Resource,
    /// A step that expects an error status.
    ExpectedErrorStatus,
    /// A step whose asserts read values a create sent and may ignore.
    MayIgnore,
    /// A step that sends a burst of reads at the IdP's rate.
    BurstStep,
    /// A step that sends a set of requests together, judged as one observation.
    FanOut,
    /// Every scenario, when the run compares snapshots.
    Snapshots,
    /// Decided by the run itself rather than by a look at one response.
    RunDecided(Decision),
}

/// What the run decides on its own, beside the check stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// The ledger sees a read or write of a resource this run created answered with another.
    OtherResource,
    /// A step's URL leaves the target, so the step is not sent.
    OffOrigin,
    /// scimcheck failed while checking a step or running a scenario.
    HarnessFailure,
    /// A Runscope step called an endpoint the embedded Okta org does not answer.
    OktaOrgEndpoint,
}

impl When {
    /// The condition as `scimcheck list` says it.
    pub const fn text(self) -> &'static str {
        match self {
            When::EveryStep => "every step",
            When::CreateAnswered2xx => "a create answered 2xx",
            When::JsonBody => "a response with a JSON body",
            When::SuccessWithBody => "a success response with a body",
            When::SuccessNamingSchema => "a success other than 204 on a step that names a schema",
            When::StepNamesSchema => "a step that names a schema",
            When::ResourceOrList => "a returned User or Group, alone or in a list",
            When::Resource => "a returned User or Group",
            When::ExpectedErrorStatus => "a step that expects an error status",
            When::MayIgnore => "a step whose asserts read values a create sent (`may_ignore`)",
            When::BurstStep => "a step with a burst",
            When::FanOut => "a step that sends a set of requests together",
            When::Snapshots => "every scenario, with --snapshots",
            When::RunDecided(Decision::OtherResource) => {
                "a read or write of a resource this run created, answered with another resource"
            }
            When::RunDecided(Decision::OffOrigin) => {
                "a step whose URL leaves the target's base URL (it is not sent)"
            }
            When::RunDecided(Decision::HarnessFailure) => {
                "a step or scenario during which scimcheck itself failed"
            }
            When::RunDecided(Decision::OktaOrgEndpoint) => {
                "a Runscope step calling an Okta API endpoint the embedded Okta org does not answer"
            }
        }
    }
}

impl fmt::Display for When {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.text())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_the_listing_text() {
        assert_eq!(When::EveryStep.to_string(), "every step");
        assert_eq!(
            When::FanOut.to_string(),
            "a step that sends a set of requests together"
        );
        assert_eq!(
            When::RunDecided(Decision::OffOrigin).to_string(),
            "a step whose URL leaves the target's base URL (it is not sent)"
        );
    }
}
