//! Date-times as the service writes them (spec §6.8: ISO-8601 with a `+0000` offset).

use time::macros::format_description;
use time::OffsetDateTime;

pub fn service_timestamp(at: OffsetDateTime) -> String {
    let format = format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]+0000"
    );
    at.to_offset(time::UtcOffset::UTC)
        .format(&format)
        .unwrap_or_default()
}
