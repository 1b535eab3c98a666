using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Admin;
using Chorus.Features.Campaigns;
using Chorus.Features.Channels.Outbox;
using Chorus.Features.Inbox;
using Chorus.Features.Inbox.Actions;
using Chorus.Features.Notifications;
using Chorus.Features.People;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.PressRoom;

/// Send a release to the journalists of a media list, from a mailbox (default: the release team's).
public sealed record DistributeInput(Guid? ListId, Guid? MailboxId = null);

public sealed record DistributionResult(IReadOnlyList<PitchView> Sent, IReadOnlyList<OutreachSkipped> Skipped);

/// One journalist's pitch: sent (and how the e-mail fared), whether they opened the link (people's
/// clicks, not link-preview robots), replied (their answer is in the conversation) and covered it.
public sealed record PitchView(Guid Id, Guid PersonId, string Name, string EmailAddress, string? Outlet, DateTimeOffset SentAt, string SentByName,
    string Delivery, string? DeliveryError, long? ConversationNumber, string? ShortUrl, long Clicks, bool Opened, DateTimeOffset? RepliedAt, bool Replied, bool Covered);

/// Distribution of a press release by e-mail: each journalist of a media list gets their own message
/// through the outbox, once, as the first message of a conversation owned by the release's team (their
/// reply threads into it), with a tracked link of their own. Under embargo the subject and the first
/// lines say until when.
public class DistributeRelease(ChorusDb db, StartConversation start, RecordAudit audit, PublicUrls urls, CountClicks clicks, TimeProvider clock)
{
    public async Task<Outcome<DistributionResult>> RunAsync(StaffActor actor, Guid releaseId, DistributeInput input, IProgress<OutreachProgress>? progress = null, CancellationToken ct = default)
    {
        var release = await db.Set<PressRelease>().AsNoTracking().SingleOrDefaultAsync(r => r.Id == releaseId, ct);
        if (release is null) return new Outcome<DistributionResult>.NotFound("Press release");
        if (!ManagePressReleases.CanManage(actor, release.OwnerTeamId)) return new Outcome<DistributionResult>.Forbidden("Only the release's team and admins send it out.");
        if (release.Status != PressReleaseStatus.Published)
            return new Outcome<DistributionResult>.Conflict(release.Status == PressReleaseStatus.Draft
                ? "A colleague approves the release, and you publish it (under embargo if it is not public yet), before it is sent to journalists."
                : "Publish the release first, under embargo if it is not public yet: the e-mail links to its newsroom page.");
        var list = input.ListId is { } listId ? await db.Set<MediaList>().AsNoTracking().Where(l => l.Id == listId).Select(l => new { l.Id, l.Name }).SingleOrDefaultAsync(ct) : null;
        if (list is null) return Outcome<DistributionResult>.Invalid.One("listId", "Choose the media list to send the release to.");
        var mailbox = await MailboxAsync(input.MailboxId, release.OwnerTeamId, ct);
        if (mailbox is null)
            return Outcome<DistributionResult>.Invalid.One("mailboxId", input.MailboxId is null ? "There is no enabled mailbox to send from; an admin adds one under Admin → Mailboxes." : "Choose an enabled mailbox to send from.");
        var members = await db.Set<MediaListMember>().Where(m => m.ListId == list.Id).OrderBy(m => m.AddedAt).Select(m => m.PersonId).ToListAsync(ct);
        if (members.Count == 0) return Outcome<DistributionResult>.Invalid.One("listId", $"{list.Name} has nobody on it yet.");

        var embargoed = release.PublicAt > clock.GetUtcNow();
        var embargo = release.EmbargoUntil is { } e ? ScheduleTimes.Display(e, release.TimeZone) : null;
        var subject = embargoed ? $"EMBARGOED until {embargo}: {release.Title}" : release.Title;
        subject = TextLimits.Cut(subject, StartConversation.MaxSubjectLength);
        var sent = new List<Guid>();
        var skipped = new List<OutreachSkipped>();
        for (var i = 0; i < members.Count; i++)
        {
            ct.ThrowIfCancellationRequested();
            var person = await db.People.AsNoTracking().Include(p => p.Organization).SingleOrDefaultAsync(p => p.Id == members[i], ct);
            var email = person is null ? null : await db.Identities.Where(x => x.PersonId == person.Id && x.Kind == IdentityKind.Email).OrderBy(x => x.CreatedAt).Select(x => x.Handle).FirstOrDefaultAsync(ct);
            var already = person is null ? null : await db.Set<Pitch>().Where(p => p.ReleaseId == releaseId && p.PersonId == person.Id).Select(p => (DateTimeOffset?)p.SentAt).SingleOrDefaultAsync(ct);
            if (person is null) skipped.Add(new(members[i], "(deleted)", "The person no longer exists."));
            else if (person.MergedIntoId is not null) skipped.Add(new(person.Id, person.Name, "Merged into another profile; add that one to the list."));
            else if (email is null) skipped.Add(new(person.Id, person.Name, "No e-mail address."));
            else if (already is { } at) skipped.Add(new(person.Id, person.Name, $"Sent this release already ({at:d MMM yyyy HH:mm} UTC)."));
            else
            {
                var link = new TrackedLink
                {
                    Code = ManageTrackedLinks.NewCode(), TargetUrl = urls.To("/newsroom/" + release.Slug), CreatedById = actor.Id,
                    UtmSource = "press-release", UtmMedium = "email", UtmCampaign = TextLimits.Cut(release.Slug, 100),
                };
                var pitch = new Pitch
                {
                    ReleaseId = releaseId, PersonId = person.Id, PersonName = person.Name, EmailAddress = email, TrackedLinkId = link.Id,
                    SentAt = clock.GetUtcNow(), SentByName = actor.Name,
                };
                db.Add(link);
                db.Add(pitch);
                // Saved with the conversation in one transaction, or dropped with it.
                var threadId = $"pitch:{releaseId:N}:{person.Id:N}";
                var outcome = await start.StartOneAsync(actor, person, mailbox.Value, release.OwnerTeamId, subject, Text(release, person.Name, urls.To("/l/" + link.Code), embargoed ? embargo : null), threadId, ct);
                if (outcome is Outcome<long>.Ok)
                {
                    var conversationId = await db.Conversations.Where(c => c.ChannelId == mailbox.Value && c.ExternalThreadId == threadId).Select(c => c.Id).SingleAsync(ct);
                    await db.Set<Pitch>().Where(p => p.Id == pitch.Id).ExecuteUpdateAsync(s => s.SetProperty(p => p.ConversationId, conversationId), ct);
                    sent.Add(pitch.Id);
                }
                else skipped.Add(new(person.Id, person.Name, outcome.Error!));
                db.ChangeTracker.Clear();
            }
            progress?.Report(new OutreachProgress(i + 1, members.Count));
        }
        await audit.RecordAsync(actor, "press-release.distributed", "press-release", releaseId.ToString(),
            $"{release.Title} to {list.Name}: sent {sent.Count}, skipped {skipped.Count}", ct);
        var views = await PitchesAsync(releaseId, ct);
        return new DistributionResult(views.Where(v => sent.Contains(v.Id)).ToList(), skipped);
    }

    /// The e-mail: greeting, the embargo when there is one, the summary, the release, the journalist's own link.
    public static string Text(PressRelease release, string name, string link, string? embargo)
    {
        var parts = new List<string> { $"Hello {name.Trim().Split(' ', 2)[0]}," };
        if (embargo is not null) parts.Add($"**EMBARGOED until {embargo}.** Please do not publish before then.");
        if (release.Summary.Length > 0) parts.Add(release.Summary);
        parts.Add($"# {release.Title}");
        parts.Add(release.Body);
        parts.Add(embargo is null ? $"Read it online: {link}" : $"It will be public at {link} when the embargo ends.");
        parts.Add("Simply reply to this e-mail with any question.");
        return string.Join("\n\n", parts);
    }

    /// The mailbox chosen, else the enabled mailbox of the release's team, else the first enabled one.
    private async Task<Guid?> MailboxAsync(Guid? chosen, Guid teamId, CancellationToken ct)
    {
        var enabled = from m in db.Mailboxes join c in db.Channels on m.ChannelId equals c.Id where c.Enabled select c;
        if (chosen is { } id) return await enabled.Where(c => c.Id == id).Select(c => (Guid?)c.Id).SingleOrDefaultAsync(ct);
        return await enabled.OrderBy(c => c.DefaultTeamId == teamId ? 0 : 1).ThenBy(c => c.Name).Select(c => (Guid?)c.Id).FirstOrDefaultAsync(ct);
    }

    /// Every pitch of a release with its tracking, by journalist name.
    public async Task<List<PitchView>> PitchesAsync(Guid releaseId, CancellationToken ct = default)
    {
        await clicks.FlushAsync(ct);
        var rows = await (from p in db.Set<Pitch>().AsNoTracking()
                          where p.ReleaseId == releaseId
                          orderby p.PersonName
                          select new
                          {
                              p.Id, p.PersonId, p.PersonName, p.EmailAddress, p.SentAt, p.SentByName, p.ConversationId,
                              Outlet = db.People.Where(x => x.Id == p.PersonId).Select(x => x.Organization != null ? x.Organization.Name : null).FirstOrDefault(),
                              Number = db.Conversations.Where(c => c.Id == p.ConversationId).Select(c => (long?)c.Number).FirstOrDefault(),
                              Link = db.Set<TrackedLink>().Where(l => l.Id == p.TrackedLinkId).Select(l => new { l.Code, l.Clicks }).FirstOrDefault(),
                              Delivery = db.Outbox.Where(o => o.ConversationId == p.ConversationId && o.Purpose == OutboxPurpose.Reply).OrderBy(o => o.CreatedAt)
                                  .Select(o => new { o.Status, o.LastError }).FirstOrDefault(),
                              RepliedAt = db.Messages.Where(m => m.ConversationId == p.ConversationId && m.Kind == MessageKind.Inbound).Min(m => (DateTimeOffset?)m.CreatedAt),
                              Covered = db.Set<Coverage>().Any(c => c.ReleaseId == releaseId && c.JournalistId == p.PersonId),
                          }).ToListAsync(ct);
        return rows.Select(r => new PitchView(r.Id, r.PersonId, r.PersonName, r.EmailAddress, r.Outlet, r.SentAt, r.SentByName,
            r.Delivery is null ? "not queued" : r.Delivery.Status.ToString().ToLowerInvariant(), r.Delivery?.LastError, r.Number,
            r.Link is null ? null : urls.To("/l/" + r.Link.Code), r.Link?.Clicks ?? 0, r.Link?.Clicks > 0, r.RepliedAt, r.RepliedAt is not null, r.Covered)).ToList();
    }
}
