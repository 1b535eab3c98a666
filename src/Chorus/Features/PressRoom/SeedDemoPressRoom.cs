using Chorus.Data;
using Chorus.Features.Admin;
using Chorus.Features.Listening.Sentiment;
using Chorus.Features.People;

namespace Chorus.Features.PressRoom;

/// The demo workspace's press room: two journalists on a media list, a release written by Priya and
/// approved by Dana, public on the newsroom since yesterday, an article it earned and a competitor.
public static class SeedDemoPressRoom
{
    public static void Add(ChorusDb db, IReadOnlyDictionary<string, Team> teams, IReadOnlyDictionary<string, string> staffIds, DateTimeOffset now)
    {
        var list = new MediaList { Name = "Games press", Description = "Editors and reviewers who cover Lumen's games", CreatedById = staffIds["priya"] };
        (Person Person, Organization Outlet) Journalist(string name, string email, string outlet, string domain, string beats, string notes)
        {
            var org = new Organization { Name = outlet, Domain = domain };
            var person = new Person { Name = name, Kind = PersonKind.Press, Stage = LifecycleStage.Lead, OrganizationId = org.Id, Notes = notes, CreatedAt = now.AddDays(-40) };
            db.AddRange(org, person,
                new Identity { PersonId = person.Id, Kind = IdentityKind.Email, Handle = email, DisplayName = name },
                new MediaContact { PersonId = person.Id, Beats = beats },
                new Activity { PersonId = person.Id, At = now.AddDays(-40), Kind = "person.created", Summary = "Priya Nair added them as a media contact." });
            list.Members.Add(new MediaListMember { ListId = list.Id, PersonId = person.Id });
            return (person, org);
        }
        var hana = Journalist("Hana Sato", "hana.sato@pixelpost.test", "Pixel Post", "pixelpost.test", "games, indie studios", "Prefers embargoed copies two days ahead.");
        Journalist("Ravi Menon", "ravi@arcadeweekly.test", "Arcade Weekly", "arcadeweekly.test", "hardware, handhelds", "Reviews go up on Thursdays.");

        var publicAt = new DateTimeOffset(now.UtcDateTime.Date.AddDays(-1).AddHours(8), TimeSpan.Zero);
        var release = new PressRelease
        {
            Slug = "starfall-2-0-brings-four-player-co-op-" + Guid.CreateVersion7().ToString("N")[^6..],
            Title = "Starfall 2.0 brings four-player co-op to every platform",
            Summary = "Lumen Games' space sim gets its biggest free update: co-op for four, forty new star systems and cross-play.",
            Body = """
                **Berlin** — Lumen Games today released Starfall 2.0, a free update for every owner of the game.

                ## What is new

                - **Co-op for four**: crews share one ship, each at their own station.
                - **Forty new star systems**, hand-built by the team in Berlin and Lisbon.
                - **Cross-play** between PC, consoles and the handheld.

                > "Players asked us for one thing above all: to fly together," said the game's director.

                ### About Lumen Games

                Lumen Games makes space games in Berlin. Press kit and screenshots: press@lumengames.test
                """,
            Status = PressReleaseStatus.Published, OwnerTeamId = teams["PR"].Id, TimeZone = "Europe/Berlin",
            EmbargoUntil = publicAt, PublicAt = publicAt, AuthorId = staffIds["priya"], AuthorName = "Priya Nair",
            ApprovedByName = "Dana Whitfield", ApprovedAt = publicAt.AddDays(-2), CreatedAt = publicAt.AddDays(-4), UpdatedAt = publicAt.AddDays(-2),
        };
        const string headline = "Starfall 2.0 is the co-op space sim we hoped for";
        const string summary = "Four friends, one ship: Lumen's free update is generous and great fun.";
        db.AddRange(list, release,
            new Coverage
            {
                Url = "https://pixelpost.test/reviews/starfall-2", Headline = headline, Summary = summary, Outlet = hana.Outlet.Name,
                PublishedOn = DateOnly.FromDateTime(now.UtcDateTime), Reach = 85_000, ReleaseId = release.Id, JournalistId = hana.Person.Id,
                Sentiment = Math.Round(ScoreSentiment.Default.Score(headline + ". " + summary), 3), CreatedByName = "Priya Nair",
            },
            new Competitor { Name = "Nebula Forge" });
    }
}
