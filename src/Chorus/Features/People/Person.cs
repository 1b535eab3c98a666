namespace Chorus.Features.People;

/// Anyone outside the company. One profile, many identities.
public class Person
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public string Name { get; set; } = "";
    public PersonKind Kind { get; set; } = PersonKind.Customer;
    public LifecycleStage Stage { get; set; } = LifecycleStage.Visitor;
    public Guid? OrganizationId { get; set; }
    public Organization? Organization { get; set; }
    public string? Notes { get; set; }
    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;
    /// Set when this person was merged into another; the profile is kept so the merge can be undone.
    public Guid? MergedIntoId { get; set; }
    public List<Identity> Identities { get; set; } = [];
}

public enum PersonKind { Customer, Fan, Vip, Partner, Press, Influencer }

public enum LifecycleStage { Visitor, Lead, Customer, Advocate, Churned }

/// One handle of a person on one channel kind. Unique per (Kind, Handle); handles are stored normalized.
public class Identity
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid PersonId { get; set; }
    public IdentityKind Kind { get; set; }
    public string Handle { get; set; } = "";
    public string? DisplayName { get; set; }
    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;

    public static string Normalize(IdentityKind kind, string handle)
    {
        var h = handle.Trim();
        return kind is IdentityKind.Email or IdentityKind.Reddit or IdentityKind.HackerNews or IdentityKind.Mastodon
            ? h.ToLowerInvariant()
            : h;
    }
}

public enum IdentityKind { Email, Reddit, HackerNews, Mastodon, Forum, Twitter, Phone, External }

/// A company a person belongs to, matched by e-mail domain or set by hand.
public class Organization
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public string Name { get; set; } = "";
    public string? Domain { get; set; }
    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;
}

/// Append-only record of something a person did or had done to them.
public class Activity
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid PersonId { get; set; }
    public DateTimeOffset At { get; set; } = DateTimeOffset.UtcNow;
    public string Kind { get; set; } = "";
    public Guid? ConversationId { get; set; }
    public string? Summary { get; set; }
    /// JSON payload; for a merge it holds what is needed to undo it.
    public string? Data { get; set; }
}

public static class ActivityKinds
{
    public const string ConversationStarted = "conversation.started";
    public const string Merged = "person.merged";
    public const string MergeUndone = "person.merge-undone";
    public const string NewsletterUnsubscribed = "newsletter.unsubscribed";
}
