//! The showroom and sales process: how prospects are graded and followed up, which steps a deal
//! goes through, and what a quote adds up to. Vocabulary shared by storage, API and screens.

pub mod funnel;
pub mod grading;
pub mod pipeline;
pub mod quote;

/// Defines a closed vocabulary stored and sent as snake_case text.
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(text: &str) -> Option<$name> {
                match text { $($text => Some($name::$variant),)+ _ => None }
            }
        }
    };
}
pub(crate) use vocabulary;

vocabulary!(
    /// How a visitor or caller reached the showroom.
    Channel {
        WalkIn => "walk_in",
        Phone => "phone",
        Online => "online",
        Event => "event",
        Referral => "referral",
    }
);

vocabulary!(
    /// How a consultant reached a prospect.
    ContactMethod {
        Call => "call",
        Visit => "visit",
        WeChat => "wechat",
        Sms => "sms",
    }
);

vocabulary!(
    /// Why a deal was lost (战败原因).
    DefeatReason {
        Price => "price",
        Product => "product",
        Competitor => "competitor",
        Finance => "finance",
        Service => "service",
        Timing => "timing",
        Other => "other",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocabularies_round_trip_through_their_stored_text() {
        for channel in Channel::ALL {
            assert_eq!(Channel::parse(channel.as_str()), Some(*channel));
        }
        for reason in DefeatReason::ALL {
            assert_eq!(DefeatReason::parse(reason.as_str()), Some(*reason));
        }
        assert_eq!(ContactMethod::parse("fax"), None);
    }
}
