using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Admin;
using Chorus.Features.Channels.Email;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Campaigns;

/// What staff see of a publishing channel: never its secret, only whether one is set.
public sealed record PublishingChannelView(Guid Id, string Name, PublishingChannelKind Kind, string? BaseUrl, bool HasSecret, int MaxLength, bool Enabled,
    Guid? MailboxId = null, Guid? PersonListId = null);

/// Admin input. A null secret keeps the stored one; an empty string removes it.
public sealed record PublishingChannelInput(string? Name, PublishingChannelKind? Kind, string? BaseUrl = null, string? Secret = null, int? MaxLength = null, bool? Enabled = null,
    Guid? MailboxId = null, Guid? PersonListId = null);

/// Publishing channels: configured by admins, read by all staff.
public class ManagePublishingChannels(ChorusDb db, MailboxSecrets secrets, RecordAudit audit)
{
    public Task<List<PublishingChannelView>> ListAsync(CancellationToken ct = default) =>
        db.Set<PublishingChannel>().AsNoTracking().OrderBy(c => c.Name)
            .Select(c => new PublishingChannelView(c.Id, c.Name, c.Kind, c.BaseUrl, c.ProtectedSecret != null, c.MaxLength, c.Enabled, c.MailboxId, c.PersonListId)).ToListAsync(ct);

    public async Task<Outcome<PublishingChannelView>> CreateAsync(StaffActor actor, PublishingChannelInput input, CancellationToken ct = default)
    {
        if (!actor.IsAdmin) return new Outcome<PublishingChannelView>.Forbidden("Only admins configure publishing channels.");
        if (input.Kind is not { } kind) return Outcome<PublishingChannelView>.Invalid.One("kind", "Choose the kind of channel: Mastodon, Discord, Slack, Newsroom or Newsletter.");
        var channel = new PublishingChannel { Kind = kind, MaxLength = PublishingChannel.DefaultMaxLength(kind) };
        if (await ApplyAsync(channel, input, isNew: true, ct) is { } invalid) return invalid;
        db.Add(channel);
        audit.Add(actor, "publishing-channel.created", "publishing-channel", channel.Id.ToString(), $"{channel.Name} ({kind})");
        await db.SaveChangesAsync(ct);
        return View(channel);
    }

    public async Task<Outcome<PublishingChannelView>> UpdateAsync(StaffActor actor, Guid id, PublishingChannelInput input, CancellationToken ct = default)
    {
        if (!actor.IsAdmin) return new Outcome<PublishingChannelView>.Forbidden("Only admins configure publishing channels.");
        var channel = await db.Set<PublishingChannel>().SingleOrDefaultAsync(c => c.Id == id, ct);
        if (channel is null) return new Outcome<PublishingChannelView>.NotFound("Publishing channel");
        if (input.Kind is { } k && k != channel.Kind) return Outcome<PublishingChannelView>.Invalid.One("kind", "A channel's kind cannot change; add a new channel instead.");
        if (await ApplyAsync(channel, input, isNew: false, ct) is { } invalid) return invalid;
        audit.Add(actor, "publishing-channel.updated", "publishing-channel", channel.Id.ToString(), channel.Name + (input.Secret is not null ? " (secret changed)" : ""));
        await db.SaveChangesAsync(ct);
        return View(channel);
    }

    private async Task<Outcome<PublishingChannelView>.Invalid?> ApplyAsync(PublishingChannel c, PublishingChannelInput input, bool isNew, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var name = input.Name?.Trim() ?? (isNew ? "" : c.Name);
        if (name.Length is 0 or > 100) errors["name"] = ["A channel's name is 1 to 100 characters."];
        else if (await db.Set<PublishingChannel>().AnyAsync(x => x.Name == name && x.Id != c.Id, ct)) errors["name"] = [$"There is already a publishing channel called {name}."];
        var baseUrl = input.BaseUrl?.Trim().TrimEnd('/') ?? c.BaseUrl;
        if (c.Kind == PublishingChannelKind.Mastodon && !IsHttpUrl(baseUrl))
            errors["baseUrl"] = ["Give the Mastodon server's address, e.g. https://mastodon.social."];
        var secret = input.Secret?.Trim();
        switch (c.Kind)
        {
            case PublishingChannelKind.Mastodon when isNew && string.IsNullOrEmpty(secret):
                errors["secret"] = ["Give the account's access token (Preferences → Development → your application, with the write:statuses scope)."];
                break;
            case PublishingChannelKind.Discord or PublishingChannelKind.Slack when (isNew || secret is not null) && !IsHttpUrl(secret):
                errors["secret"] = ["Give the incoming webhook's address (https://...)."];
                break;
        }
        var mailboxId = input.MailboxId ?? c.MailboxId;
        var listId = input.PersonListId ?? c.PersonListId;
        if (c.Kind == PublishingChannelKind.Newsletter)
        {
            if (mailboxId is null || !await db.Mailboxes.AnyAsync(m => m.ChannelId == mailboxId, ct))
                errors["mailboxId"] = ["Choose the mailbox the newsletter is sent from (Admin → Mailboxes); replies arrive there."];
            if (listId is null || !await db.Set<People.PersonList>().AnyAsync(l => l.Id == listId, ct))
                errors["personListId"] = ["Choose the list of people it goes to (People → Lists)."];
        }
        var max = input.MaxLength ?? c.MaxLength;
        if (max is < 1 or > Post.MaxBody) errors["maxLength"] = [$"The length limit is between 1 and {Post.MaxBody:N0} characters."];
        if (errors.Count > 0) return new Outcome<PublishingChannelView>.Invalid(errors);

        c.Name = name;
        c.BaseUrl = c.Kind == PublishingChannelKind.Mastodon ? baseUrl : null;
        if (secret is not null) c.ProtectedSecret = secret.Length == 0 ? null : secrets.Protect(secret);
        c.MaxLength = max;
        (c.MailboxId, c.PersonListId) = c.Kind == PublishingChannelKind.Newsletter ? (mailboxId, listId) : (null, null);
        c.Enabled = input.Enabled ?? c.Enabled;
        return null;
    }

    private static bool IsHttpUrl(string? s) =>
        Uri.TryCreate(s, UriKind.Absolute, out var u) && u.Scheme is "http" or "https";

    private static PublishingChannelView View(PublishingChannel c) => new(c.Id, c.Name, c.Kind, c.BaseUrl, c.ProtectedSecret != null, c.MaxLength, c.Enabled, c.MailboxId, c.PersonListId);
}
