//! Teams.

use super::records::{TeamRecord, decode, encode};
use super::{Error, Reader, Writer};
use crate::domain::{Team, TeamId};
use redb::ReadableTable;

macro_rules! team_reads {
    ($t:ty) => {
        impl $t {
            pub fn team(&self, id: TeamId) -> Result<Option<Team>, Error> {
                let table = self.teams_table()?;
                let Some(bytes) = table.get(id.0)? else {
                    return Ok(None);
                };
                decode::<TeamRecord, _>("teams", id.0, bytes.value()).map(Some)
            }

            pub fn teams(&self) -> Result<Vec<Team>, Error> {
                let table = self.teams_table()?;
                let mut teams = Vec::new();
                for entry in table.iter()? {
                    let (key, bytes) = entry?;
                    teams.push(decode::<TeamRecord, _>(
                        "teams",
                        key.value(),
                        bytes.value(),
                    )?);
                }
                Ok(teams)
            }
        }
    };
}

team_reads!(Reader);
team_reads!(Writer<'_>);

impl Writer<'_> {
    pub fn put_team(&self, team: &Team) -> Result<(), Error> {
        self.bump_people_version()?;
        let mut table = self.teams_table()?;
        table.insert(team.id.0, encode(&TeamRecord::from(team))?.as_slice())?;
        Ok(())
    }
}
