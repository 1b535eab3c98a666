using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Admin;
using Chorus.Features.Channels;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Cli.Bench;

/// What the benchmark sets up before any traffic: channels routed to each team (PR private, as a
/// real workspace has it), staff in every team, and the agent whose inbox is measured, with an API token.
public sealed record BenchWorkspace(IReadOnlyList<TrafficChannel> Channels, IReadOnlyList<string> StaffIds, string AgentId, Guid SupportTeamId, string Token)
{
    public const string AgentEmail = "bench-agent@chorus.test";
    private const string Password = "bench-password-1";

    public static async Task<BenchWorkspace> CreateAsync(IServiceProvider services, CancellationToken ct)
    {
        using var scope = services.CreateScope();
        var sp = scope.ServiceProvider;
        var db = sp.GetRequiredService<ChorusDb>();
        await db.MigrateAsync(ct);
        await sp.GetRequiredService<BootstrapWorkspace>().RunAsync(ct);

        var teams = await db.Teams.ToDictionaryAsync(t => t.Name, ct);
        teams["PR"].IsPrivate = true;
        var web = await db.Channels.SingleAsync(c => c.Kind == ChannelKind.WebForm, ct);
        var api = await db.Channels.SingleAsync(c => c.Kind == ChannelKind.Api, ct);
        var created = new (Channel Channel, double Share)[]
        {
            (new Channel { Kind = ChannelKind.Email, Name = "support@bench.test", DefaultTeamId = teams["Support"].Id }, 0.55),
            (web, 0.15),
            (new Channel { Kind = ChannelKind.Forum, Name = "Community forum", DefaultTeamId = teams["Outreach & Advocacy"].Id }, 0.12),
            (new Channel { Kind = ChannelKind.Email, Name = "partners@bench.test", DefaultTeamId = teams["Marketing"].Id }, 0.08),
            (new Channel { Kind = ChannelKind.Email, Name = "press@bench.test", DefaultTeamId = teams["PR"].Id }, 0.04),
            (new Channel { Kind = ChannelKind.Email, Name = "bugs@bench.test", DefaultTeamId = teams["Product & Engineering Liaison"].Id }, 0.03),
            (api, 0.03),
        };
        db.Channels.AddRange(created.Select(c => c.Channel).Where(c => c != web && c != api));
        await db.SaveChangesAsync(ct);

        var staff = sp.GetRequiredService<ManageStaff>();
        var ids = new List<string>();
        var teamList = teams.Values.OrderBy(t => t.Name).ToList();
        for (var i = 0; i < 12; i++)
        {
            var team = i < 6 ? teams["Support"] : teamList[i % teamList.Count];
            var email = i == 0 ? AgentEmail : $"agent{i}@chorus.test";
            var added = await staff.AddAsync(null, new NewStaff(email, $"Agent {i}", Roles.Agent, Password, [team.Id]), ct);
            ids.Add(added is Outcome<StaffView>.Ok ok ? ok.Value.Id : throw new InvalidOperationException(added.Error));
        }
        var agent = (await sp.GetRequiredService<ResolveStaffActor>().ForUserIdAsync(ids[0], ct))!;
        var token = await sp.GetRequiredService<ManageApiTokens>().IssueAsync(agent, "bench", ct);
        return new BenchWorkspace(created.Select(c => new TrafficChannel(c.Channel.Id, c.Channel.Name, c.Channel.DefaultTeamId, c.Share)).ToList(),
            ids, ids[0], teams["Support"].Id, token.Token);
    }
}
