using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Admin;
using Chorus.Features.Channels;
using Chorus.Features.Inbox;
using Chorus.Features.Inbox.Ingest;
using Chorus.Features.People;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Demo;

public sealed record DemoSignIn(string Email, string Password);

/// A realistic, clearly marked demo workspace for Lumen Games, maker of the game Starfall: a few
/// hundred people and a few thousand conversations across every team, including the moments Chorus
/// exists for. Created on first start unless `Chorus:DemoWorkspace=false`; inbound messages go
/// through the real ingest pipeline.
public class SeedDemoWorkspace(ChorusDb db, UserManager<StaffUser> users, IngestPipeline pipeline, IConfiguration config, ILogger<SeedDemoWorkspace> log,
    Sla.ManageSla sla, Reports.RebuildReports reports)
{
    public const string SettingKey = "demo-workspace";
    public const string Password = "chorus-demo";
    public const string SignInEmail = "dana@chorus.test";

    private static readonly (string Email, string Name, string Role, string Team)[] Staff =
    [
        (SignInEmail, "Dana Whitfield", Roles.Admin, "Support"),
        ("maya@chorus.test", "Maya Okafor", Roles.Agent, "Support"),
        ("tom@chorus.test", "Tom Becker", Roles.Agent, "Support"),
        ("sam@chorus.test", "Sam Reyes", Roles.Agent, "Outreach & Advocacy"),
        ("priya@chorus.test", "Priya Nair", Roles.Agent, "PR"),
        ("leo@chorus.test", "Leo Martin", Roles.Agent, "Marketing"),
        ("devon@chorus.test", "Devon Park", Roles.Agent, "Product & Engineering Liaison"),
        ("vic@chorus.test", "Vic Torres", Roles.Viewer, "Support"),
    ];

    public async Task<DemoSignIn?> RunIfEnabledAsync(CancellationToken ct = default)
    {
        if (await db.Settings.AnyAsync(s => s.Key == SettingKey, ct)) return new DemoSignIn(SignInEmail, Password);
        if (!config.GetValue("Chorus:DemoWorkspace", true) || await db.Conversations.AnyAsync(ct)) return null;
        var started = DateTimeOffset.UtcNow;
        await SeedAsync(config.GetValue("Chorus:DemoConversations", 2400), ct);
        log.LogInformation("Demo workspace created in {Seconds:N1} s", (DateTimeOffset.UtcNow - started).TotalSeconds);
        return new DemoSignIn(SignInEmail, Password);
    }

    private async Task SeedAsync(int conversationCount, CancellationToken ct)
    {
        var rng = new Random(20261123);
        var now = DateTimeOffset.UtcNow;
        var teams = await db.Teams.ToDictionaryAsync(t => t.Name, ct);
        teams["PR"].IsPrivate = true; // journalists' embargoed questions stay with PR

        var staffIds = new Dictionary<string, string>();
        foreach (var (email, name, role, team) in Staff)
        {
            var user = await users.FindByEmailAsync(email);
            if (user is null)
            {
                user = new StaffUser { UserName = email, Email = email, EmailConfirmed = true, DisplayName = name };
                var result = await users.CreateAsync(user, Password);
                if (!result.Succeeded) throw new InvalidOperationException(string.Join(" ", result.Errors.Select(e => e.Description)));
                await users.AddToRoleAsync(user, role);
            }
            staffIds[email.Split('@')[0]] = user.Id;
            db.TeamMembers.Add(new TeamMember { TeamId = teams[team].Id, StaffUserId = user.Id });
        }
        // Dana leads support and sits in on every team; Priya's PR work is private.
        foreach (var t in teams.Values.Where(t => t.Name != "Support")) db.TeamMembers.Add(new TeamMember { TeamId = t.Id, StaffUserId = staffIds["dana"] });

        var channels = new Dictionary<string, Channel>
        {
            ["email"] = new() { Kind = ChannelKind.Email, Name = "support@lumengames.test", DefaultTeamId = teams["Support"].Id },
            ["reddit"] = new() { Kind = ChannelKind.Reddit, Name = "reddit r/starfall", DefaultTeamId = teams["Outreach & Advocacy"].Id },
            ["forum"] = new() { Kind = ChannelKind.Forum, Name = "Community forum", DefaultTeamId = teams["Outreach & Advocacy"].Id },
            ["mastodon"] = new() { Kind = ChannelKind.Mastodon, Name = "Mastodon @lumengames", DefaultTeamId = teams["Marketing"].Id },
            ["press"] = new() { Kind = ChannelKind.Email, Name = "press@lumengames.test", DefaultTeamId = teams["PR"].Id },
            ["partners"] = new() { Kind = ChannelKind.Email, Name = "partners@lumengames.test", DefaultTeamId = teams["Marketing"].Id },
        };
        db.Channels.AddRange(channels.Values);
        var web = await db.Channels.FirstAsync(c => c.Kind == ChannelKind.WebForm, ct);
        channels["web"] = web;
        db.Settings.Add(new WorkspaceSetting { Key = SettingKey, Value = now.ToString("O") });
        await db.SaveChangesAsync(ct);

        // People: a few hundred, with handles on the channels they use.
        var people = Enumerable.Range(0, 320).Select(i => DemoText.Person(rng, i)).ToList();
        var envelopes = new List<(InboundEnvelope Envelope, DemoText.Script Script)>();

        foreach (var story in DemoText.Stories(now))
            envelopes.AddRange(story.Messages.Select(m => (new InboundEnvelope(channels[story.Channel].Id, m.ExternalId, story.Thread,
                new InboundAuthor(story.AuthorKind, story.Handle, story.Name), m.At, story.Subject, m.Text, null), story.Script)));

        for (var i = 0; i < conversationCount; i++)
        {
            var person = people[rng.Next(people.Count)];
            var (channelKey, topic) = DemoText.PickTopic(rng, person);
            var at = now.AddMinutes(-rng.Next(10, 60 * 24 * 60));
            var thread = $"demo-{i}";
            var kind = channelKey is "reddit" ? IdentityKind.Reddit : channelKey is "forum" ? IdentityKind.Forum : channelKey is "mastodon" ? IdentityKind.Mastodon : IdentityKind.Email;
            var handle = kind switch
            {
                IdentityKind.Reddit => person.Reddit, IdentityKind.Forum => person.Forum, IdentityKind.Mastodon => person.Mastodon, _ => person.Email,
            };
            var script = DemoText.RandomScript(rng, topic, now - at);
            envelopes.Add((new InboundEnvelope(channels[channelKey].Id, thread + "-1", thread, new InboundAuthor(kind, handle, person.Name), at, topic.Subject, topic.Body, null), script));
            if (script.FollowUp is not null)
                envelopes.Add((new InboundEnvelope(channels[channelKey].Id, thread + "-2", thread, new InboundAuthor(kind, handle, person.Name),
                    at.AddMinutes(rng.Next(30, 600)), null, script.FollowUp, null), DemoText.Script.None));
        }

        var results = await pipeline.IngestManyAsync(envelopes.Select(e => e.Envelope).OrderBy(e => e.At).ToList(), ct);
        var byExternal = envelopes.Select(e => e.Envelope).OrderBy(e => e.At).Zip(results).ToDictionary(x => (x.First.ChannelId, x.First.ExternalId), x => x.Second);

        // Staff work: replies, notes, statuses, assignees, tags, people kinds.
        db.ChangeTracker.Clear();
        var conversations = await db.Conversations.Include(c => c.Tags).ToDictionaryAsync(c => c.Id, ct);
        var teamAgents = Staff.Where(s => s.Role != Roles.Viewer).GroupBy(s => s.Team).ToDictionary(g => teams[g.Key].Id, g => g.Select(s => staffIds[s.Email.Split('@')[0]]).ToList());
        foreach (var (envelope, script) in envelopes.Where(e => e.Script != DemoText.Script.None))
        {
            var result = byExternal[(envelope.ChannelId, envelope.ExternalId)];
            if (result.Status != IngestStatus.Created) continue;
            var c = conversations[result.ConversationId];
            var agents = c.TeamId is { } tid && teamAgents.TryGetValue(tid, out var list) ? list : teamAgents[teams["Support"].Id];
            var agent = script.Agent is { } named ? staffIds[named] : agents[rng.Next(agents.Count)];
            if (script.Assigned) c.AssigneeId = agent;
            c.Priority = script.Priority;
            foreach (var tag in script.Tags) c.Tags.Add(new ConversationTag { ConversationId = c.Id, Tag = tag });
            var t = c.LastMessageAt;
            foreach (var (kindOfPost, text, who) in script.Posts)
            {
                t = t.AddMinutes(rng.Next(5, 240));
                if (t > now) t = now.AddMinutes(-1);
                db.Messages.Add(new Message
                {
                    ConversationId = c.Id, ChannelId = c.ChannelId, Kind = kindOfPost, AuthorStaffId = who is null ? agent : staffIds[who],
                    Text = text, Html = null, CreatedAt = t,
                });
                c.MessageCount++;
                c.LastMessageAt = t;
                if (kindOfPost == MessageKind.Reply)
                {
                    c.FirstReplyAt ??= t;
                    c.WaitingSince = null;
                    c.Preview = TextLimits.Preview(text);
                }
                if (kindOfPost == MessageKind.Note && text.Contains('@'))
                    foreach (var mention in staffIds.Where(s => text.Contains("@" + s.Key)))
                        db.Notifications.Add(new Notification { StaffUserId = mention.Value, Kind = NotificationKinds.Mention, ConversationId = c.Id, Text = $"You were mentioned in #{c.Number}: {TextLimits.Preview(text)}", CreatedAt = t });
            }
            c.Status = script.Status;
            if (script.Status is ConversationStatus.Solved or ConversationStatus.Closed) { c.SolvedAt = t; c.WaitingSince = null; }
        }
        foreach (var story in DemoText.Stories(now))
        {
            var person = await db.Identities.Where(i => i.Kind == story.AuthorKind && i.Handle == Identity.Normalize(story.AuthorKind, story.Handle)).Select(i => i.PersonId).FirstAsync(ct);
            await db.People.Where(p => p.Id == person).ExecuteUpdateAsync(s => s.SetProperty(p => p.Kind, story.PersonKind), ct);
        }
        foreach (var group in people.Where(p => p.Kind != PersonKind.Customer).GroupBy(p => p.Kind))
        {
            var handles = group.SelectMany(p => new[] { p.Email, p.Reddit.ToLowerInvariant(), p.Forum, p.Mastodon.ToLowerInvariant() }).ToList();
            var ids = await db.Identities.Where(i => handles.Contains(i.Handle)).Select(i => i.PersonId).Distinct().ToListAsync(ct);
            await db.People.Where(p => ids.Contains(p.Id)).ExecuteUpdateAsync(s => s.SetProperty(x => x.Kind, group.Key), ct);
        }
        Campaigns.SeedDemoCampaigns.Add(db, teams, staffIds, now);
        PressRoom.SeedDemoPressRoom.Add(db, teams, staffIds, now);
        Automation.DemoAutomation.Add(db, teams);
        Sla.DemoSla.Add(db, teams);
        HelpCenter.DemoHelpCenter.Add(db, now);
        await db.SaveChangesAsync(ct);
        await sla.RestampAsync(solvedToo: true, ct); // due times under the demo's hours and policies, for its history too
        await reports.RunAsync(ct); // and the reports recounted with them (SLA attainment of the demo's past)
    }
}

public static class DemoFeature
{
    public static IServiceCollection AddDemoWorkspace(this IServiceCollection services) => services.AddScoped<SeedDemoWorkspace>();
}
