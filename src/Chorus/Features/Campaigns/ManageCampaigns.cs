using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Admin;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Campaigns;

public sealed record CampaignSummary(Guid Id, string Name, CampaignObjective Objective, DateOnly StartsOn, DateOnly EndsOn, Guid OwnerTeamId, string OwnerTeamName,
    int Posts, int Scheduled, int Published, int Failed, long Clicks);

public sealed record CampaignDetail(Guid Id, string Name, CampaignObjective Objective, string? Description, DateOnly StartsOn, DateOnly EndsOn,
    Guid OwnerTeamId, string OwnerTeamName, string? BudgetNote, IReadOnlyList<PublishingChannelView> Channels,
    IReadOnlyList<PostSummary> Posts, IReadOnlyList<TrackedLinkView> Links, bool CanManage);

public sealed record CampaignInput(string? Name, CampaignObjective? Objective, DateOnly? StartsOn, DateOnly? EndsOn, Guid? OwnerTeamId,
    string? Description = null, string? BudgetNote = null, IReadOnlyList<Guid>? ChannelIds = null);

/// Campaigns: every colleague reads them; agents and admins start them; the owner team (and admins) change them.
public class ManageCampaigns(ChorusDb db, RecordAudit audit, CountClicks clicks)
{
    /// Who works on a campaign's posts: admins, and agents of its owner team.
    public static bool CanManage(StaffActor actor, Guid ownerTeamId) => actor.IsAdmin || (actor.CanWork && actor.MemberTeamIds.Contains(ownerTeamId));

    public async Task<List<CampaignSummary>> ListAsync(CancellationToken ct = default)
    {
        await clicks.FlushAsync(ct);
        var rows = await (from c in db.Set<Campaign>().AsNoTracking()
                          join t in db.Teams on c.OwnerTeamId equals t.Id
                          orderby c.StartsOn descending, c.Name
                          select new
                          {
                              c.Id, c.Name, c.Objective, c.StartsOn, c.EndsOn, c.OwnerTeamId, Team = t.Name,
                              Posts = db.Set<Post>().Count(p => p.CampaignId == c.Id),
                              Scheduled = db.Set<Post>().Count(p => p.CampaignId == c.Id && p.Status == PostStatus.Scheduled),
                              Published = db.Set<Post>().Count(p => p.CampaignId == c.Id && p.Status == PostStatus.Published),
                              Failed = db.Set<Post>().Count(p => p.CampaignId == c.Id && p.Status == PostStatus.Failed),
                              Clicks = db.Set<TrackedLink>().Where(l => l.CampaignId == c.Id).Sum(l => (long?)l.Clicks) ?? 0,
                          }).ToListAsync(ct);
        return rows.Select(r => new CampaignSummary(r.Id, r.Name, r.Objective, r.StartsOn, r.EndsOn, r.OwnerTeamId, r.Team, r.Posts, r.Scheduled, r.Published, r.Failed, r.Clicks)).ToList();
    }

    public async Task<Outcome<CampaignDetail>> GetAsync(StaffActor actor, Guid id, CancellationToken ct = default)
    {
        var c = await db.Set<Campaign>().AsNoTracking().Include(x => x.Channels).SingleOrDefaultAsync(x => x.Id == id, ct);
        if (c is null) return new Outcome<CampaignDetail>.NotFound("Campaign");
        var team = await db.Teams.Where(t => t.Id == c.OwnerTeamId).Select(t => t.Name).SingleAsync(ct);
        var channelIds = c.Channels.Select(x => x.ChannelId).ToList();
        var channels = await db.Set<PublishingChannel>().AsNoTracking().Where(x => channelIds.Contains(x.Id)).OrderBy(x => x.Name)
            .Select(x => new PublishingChannelView(x.Id, x.Name, x.Kind, x.BaseUrl, x.ProtectedSecret != null, x.MaxLength, x.Enabled)).ToListAsync(ct);
        var posts = await ReadPosts.SummariesAsync(db, db.Set<Post>().Where(p => p.CampaignId == id), ct);
        var links = await ManageTrackedLinks.ViewsAsync(db, clicks, db.Set<TrackedLink>().Where(l => l.CampaignId == id), ct);
        return new CampaignDetail(c.Id, c.Name, c.Objective, c.Description, c.StartsOn, c.EndsOn, c.OwnerTeamId, team, c.BudgetNote, channels, posts, links,
            CanManage(actor, c.OwnerTeamId));
    }

    public async Task<Outcome<CampaignDetail>> CreateAsync(StaffActor actor, CampaignInput input, CancellationToken ct = default)
    {
        if (!actor.CanWork) return new Outcome<CampaignDetail>.Forbidden("Viewers cannot start campaigns.");
        if (input.OwnerTeamId is { } team && !CanManage(actor, team))
            return new Outcome<CampaignDetail>.Forbidden("Start a campaign for a team you belong to.");
        var campaign = new Campaign { CreatedById = actor.Id };
        if (await ApplyAsync(campaign, input, isNew: true, ct) is { } invalid) return invalid;
        db.Add(campaign);
        audit.Add(actor, "campaign.created", "campaign", campaign.Id.ToString(), campaign.Name);
        await db.SaveChangesAsync(ct);
        return await GetAsync(actor, campaign.Id, ct);
    }

    public async Task<Outcome<CampaignDetail>> UpdateAsync(StaffActor actor, Guid id, CampaignInput input, CancellationToken ct = default)
    {
        var campaign = await db.Set<Campaign>().Include(c => c.Channels).SingleOrDefaultAsync(c => c.Id == id, ct);
        if (campaign is null) return new Outcome<CampaignDetail>.NotFound("Campaign");
        if (!CanManage(actor, campaign.OwnerTeamId)) return new Outcome<CampaignDetail>.Forbidden("Only the campaign's team and admins change it.");
        if (input.OwnerTeamId is { } team && team != campaign.OwnerTeamId && !CanManage(actor, team))
            return new Outcome<CampaignDetail>.Forbidden("Hand a campaign only to a team you belong to.");
        if (await ApplyAsync(campaign, input, isNew: false, ct) is { } invalid) return invalid;
        audit.Add(actor, "campaign.updated", "campaign", campaign.Id.ToString(), campaign.Name);
        await db.SaveChangesAsync(ct);
        return await GetAsync(actor, id, ct);
    }

    private async Task<Outcome<CampaignDetail>.Invalid?> ApplyAsync(Campaign c, CampaignInput input, bool isNew, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var name = input.Name?.Trim() ?? (isNew ? "" : c.Name);
        if (name.Length is 0 or > 200) errors["name"] = ["A campaign's name is 1 to 200 characters."];
        else if (await db.Set<Campaign>().AnyAsync(x => x.Name == name && x.Id != c.Id, ct)) errors["name"] = [$"There is already a campaign called {name}."];
        var objective = input.Objective ?? (isNew ? null : c.Objective);
        if (objective is null) errors["objective"] = ["Choose the objective: awareness, engagement, conversion or advocacy."];
        var starts = input.StartsOn ?? (isNew ? null : c.StartsOn);
        var ends = input.EndsOn ?? (isNew ? null : c.EndsOn);
        if (starts is null) errors["startsOn"] = ["Give the date the campaign starts."];
        if (ends is null) errors["endsOn"] = ["Give the date the campaign ends."];
        else if (starts is not null && ends < starts) errors["endsOn"] = ["The campaign cannot end before it starts."];
        var team = input.OwnerTeamId ?? (isNew ? null : c.OwnerTeamId);
        if (team is null) errors["ownerTeamId"] = ["Choose the team that owns the campaign."];
        else if (!await db.Teams.AnyAsync(t => t.Id == team, ct)) errors["ownerTeamId"] = ["That team does not exist."];
        if (input.Description?.Length > 2000) errors["description"] = ["Keep the description under 2,000 characters."];
        if (input.BudgetNote?.Length > 500) errors["budgetNote"] = ["Keep the budget note under 500 characters."];
        List<Guid>? channelIds = input.ChannelIds?.Distinct().ToList();
        if (channelIds is { Count: > 0 })
        {
            var known = await db.Set<PublishingChannel>().Where(x => channelIds.Contains(x.Id)).Select(x => x.Id).ToListAsync(ct);
            if (known.Count != channelIds.Count) errors["channelIds"] = ["One of the channels does not exist."];
        }
        if (errors.Count > 0) return new Outcome<CampaignDetail>.Invalid(errors);

        c.Name = name;
        c.Objective = objective!.Value;
        c.StartsOn = starts!.Value;
        c.EndsOn = ends!.Value;
        c.OwnerTeamId = team!.Value;
        if (input.Description is not null || isNew) c.Description = string.IsNullOrWhiteSpace(input.Description) ? null : input.Description.Trim();
        if (input.BudgetNote is not null || isNew) c.BudgetNote = string.IsNullOrWhiteSpace(input.BudgetNote) ? null : input.BudgetNote.Trim();
        if (channelIds is not null)
        {
            c.Channels.RemoveAll(x => !channelIds.Contains(x.ChannelId));
            foreach (var id in channelIds.Where(id => c.Channels.All(x => x.ChannelId != id)))
                c.Channels.Add(new CampaignChannel { CampaignId = c.Id, ChannelId = id });
        }
        return null;
    }
}
