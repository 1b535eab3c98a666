using Chorus.Features.Admin;
using Chorus.Features.Automation;
using Chorus.Features.Channels;
using Chorus.Features.Channels.Email;
using Chorus.Features.Channels.Outbox;
using Chorus.Features.Forum;
using Chorus.Features.Inbox;
using Chorus.Features.Inbox.Attachments;
using Chorus.Features.Notifications;
using Chorus.Features.People;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Data;

/// The one store. Provider-specific subclasses (<see cref="SqliteChorusDb"/>, <see cref="PostgresChorusDb"/>)
/// exist so each provider keeps its own migrations; everything else talks to ChorusDb.
public abstract class ChorusDb(DbContextOptions options) : IdentityDbContext<StaffUser>(options), IDataProtectionKeyContext
{
    /// The key ring that signs cookies and requester links and encrypts mailbox passwords, shared by every node.
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();
    public DbSet<Team> Teams => Set<Team>();
    public DbSet<TeamMember> TeamMembers => Set<TeamMember>();
    public DbSet<ApiToken> ApiTokens => Set<ApiToken>();
    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();
    public DbSet<Person> People => Set<Person>();
    public DbSet<Identity> Identities => Set<Identity>();
    public DbSet<Organization> Organizations => Set<Organization>();
    public DbSet<Activity> Activities => Set<Activity>();
    public DbSet<Channel> Channels => Set<Channel>();
    public DbSet<Conversation> Conversations => Set<Conversation>();
    public DbSet<ConversationTag> ConversationTags => Set<ConversationTag>();
    public DbSet<ConversationFollower> ConversationFollowers => Set<ConversationFollower>();
    public DbSet<Message> Messages => Set<Message>();
    public DbSet<Notification> Notifications => Set<Notification>();
    public DbSet<Counter> Counters => Set<Counter>();
    public DbSet<WorkspaceSetting> Settings => Set<WorkspaceSetting>();
    public DbSet<Mailbox> Mailboxes => Set<Mailbox>();
    public DbSet<InboundEmailRejection> InboundEmailRejections => Set<InboundEmailRejection>();
    public DbSet<OutboxItem> Outbox => Set<OutboxItem>();
    public DbSet<MessageAttachment> MessageAttachments => Set<MessageAttachment>();
    public DbSet<AttachmentContent> AttachmentContents => Set<AttachmentContent>();
    public DbSet<MboxImport> MboxImports => Set<MboxImport>();
    public DbSet<NotificationPreference> NotificationPreferences => Set<NotificationPreference>();
    public DbSet<PersonList> PersonLists => Set<PersonList>();
    public DbSet<Features.Listening.Monitors.Monitor> Monitors => Set<Features.Listening.Monitors.Monitor>();
    public DbSet<Features.Listening.Sources.Source> Sources => Set<Features.Listening.Sources.Source>();
    public DbSet<Features.Listening.Mentions.Mention> Mentions => Set<Features.Listening.Mentions.Mention>();
    public DbSet<Features.Listening.Mentions.MentionMatch> MentionMatches => Set<Features.Listening.Mentions.MentionMatch>();
    public DbSet<Features.Listening.Alerts.Alert> Alerts => Set<Features.Listening.Alerts.Alert>();
    public DbSet<Features.Listening.Alerts.AlertMention> AlertMentions => Set<Features.Listening.Alerts.AlertMention>();
    public DbSet<Features.Listening.Alerts.MonitorWatch> MonitorWatches => Set<Features.Listening.Alerts.MonitorWatch>();
    public DbSet<Features.Listening.Engage.ReplyAccount> ReplyAccounts => Set<Features.Listening.Engage.ReplyAccount>();
    public DbSet<Features.Listening.Incidents.Incident> Incidents => Set<Features.Listening.Incidents.Incident>();
    public DbSet<Features.Listening.Incidents.IncidentTeam> IncidentTeams => Set<Features.Listening.Incidents.IncidentTeam>();
    public DbSet<Features.Listening.Incidents.IncidentThread> IncidentThreads => Set<Features.Listening.Incidents.IncidentThread>();
    public DbSet<Features.Listening.Incidents.IncidentEntry> IncidentEntries => Set<Features.Listening.Incidents.IncidentEntry>();
    public DbSet<Features.Listening.Incidents.IncidentChecklistItem> IncidentChecklistItems => Set<Features.Listening.Incidents.IncidentChecklistItem>();
    public DbSet<PersonListMember> PersonListMembers => Set<PersonListMember>();
    public DbSet<Rule> Rules => Set<Rule>();
    public DbSet<RuleFiring> RuleFirings => Set<RuleFiring>();
    public DbSet<PendingRuleEvent> RuleEvents => Set<PendingRuleEvent>();
    public DbSet<Macro> Macros => Set<Macro>();
    public DbSet<ForumCategory> ForumCategories => Set<ForumCategory>();
    public DbSet<ForumMember> ForumMembers => Set<ForumMember>();
    public DbSet<ForumTopic> ForumTopics => Set<ForumTopic>();
    public DbSet<ForumPost> ForumPosts => Set<ForumPost>();
    public DbSet<ForumLike> ForumLikes => Set<ForumLike>();
    public DbSet<ForumTopicRead> ForumTopicReads => Set<ForumTopicRead>();
    public DbSet<ModerationExample> ModerationExamples => Set<ModerationExample>();
    public DbSet<Features.Community.ForumFlag> ForumFlags => Set<Features.Community.ForumFlag>();
    public DbSet<Features.Community.MemberSanction> MemberSanctions => Set<Features.Community.MemberSanction>();
    public DbSet<Features.Community.ForumPostRevision> ForumPostRevisions => Set<Features.Community.ForumPostRevision>();
    public DbSet<Features.Community.PersonBlock> PersonBlocks => Set<Features.Community.PersonBlock>();
    public DbSet<Features.Community.BlockedMessage> BlockedMessages => Set<Features.Community.BlockedMessage>();
    public DbSet<Features.MemberNotifications.MemberEmailPreference> MemberEmailPreferences => Set<Features.MemberNotifications.MemberEmailPreference>();
    public DbSet<Features.MemberNotifications.TopicWatch> TopicWatches => Set<Features.MemberNotifications.TopicWatch>();
    public DbSet<Features.MemberNotifications.MemberNotification> MemberNotifications => Set<Features.MemberNotifications.MemberNotification>();
    public DbSet<Features.MemberNotifications.MemberNotificationJob> MemberNotificationJobs => Set<Features.MemberNotifications.MemberNotificationJob>();
    public DbSet<Features.MemberNotifications.JobLease> JobLeases => Set<Features.MemberNotifications.JobLease>();

    public abstract DatabaseProvider Provider { get; }

    protected override void ConfigureConventions(ModelConfigurationBuilder b)
    {
        // Enums as text: readable in SQL, stable when members are added.
        b.Properties<PersonKind>().HaveConversion<string>().HaveMaxLength(20);
        b.Properties<LifecycleStage>().HaveConversion<string>().HaveMaxLength(20);
        b.Properties<IdentityKind>().HaveConversion<string>().HaveMaxLength(20);
        b.Properties<ChannelKind>().HaveConversion<string>().HaveMaxLength(20);
        b.Properties<ConversationStatus>().HaveConversion<string>().HaveMaxLength(20);
        b.Properties<Priority>().HaveConversion<string>().HaveMaxLength(20);
        b.Properties<MessageKind>().HaveConversion<string>().HaveMaxLength(20);
        b.Properties<Availability>().HaveConversion<string>().HaveMaxLength(20);
    }

    protected override void OnModelCreating(ModelBuilder b)
    {
        base.OnModelCreating(b);

        b.Entity<StaffUser>().Property(u => u.DisplayName).HasMaxLength(200);

        b.Entity<Team>(e =>
        {
            e.Property(t => t.Name).HasMaxLength(100);
            e.HasIndex(t => t.Name).IsUnique();
            e.HasMany(t => t.Members).WithOne().HasForeignKey(m => m.TeamId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<TeamMember>(e =>
        {
            e.HasKey(m => new { m.TeamId, m.StaffUserId });
            e.HasOne(m => m.StaffUser).WithMany().HasForeignKey(m => m.StaffUserId).OnDelete(DeleteBehavior.Cascade);
            e.HasIndex(m => m.StaffUserId);
        });
        b.Entity<ApiToken>(e =>
        {
            e.HasIndex(t => t.Hash).IsUnique();
            e.HasIndex(t => t.StaffUserId);
            e.HasOne<StaffUser>().WithMany().HasForeignKey(t => t.StaffUserId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<AuditEntry>(e => e.HasIndex(a => a.At));

        b.Entity<Organization>(e =>
        {
            e.Property(o => o.Domain).HasMaxLength(255);
            e.HasIndex(o => o.Domain).IsUnique();
        });
        b.Entity<Person>(e =>
        {
            e.Property(p => p.Name).HasMaxLength(200);
            e.HasIndex(p => p.Name);
            e.HasOne(p => p.Organization).WithMany().HasForeignKey(p => p.OrganizationId).OnDelete(DeleteBehavior.SetNull);
            e.HasMany(p => p.Identities).WithOne().HasForeignKey(i => i.PersonId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<Identity>(e =>
        {
            e.Property(i => i.Handle).HasMaxLength(320);
            e.HasIndex(i => new { i.Kind, i.Handle }).IsUnique();
            e.HasIndex(i => i.PersonId);
        });
        b.Entity<Activity>(e =>
        {
            e.HasIndex(a => new { a.PersonId, a.At });
            e.HasOne<Person>().WithMany().HasForeignKey(a => a.PersonId).OnDelete(DeleteBehavior.Cascade);
        });

        b.Entity<Channel>(e => e.Property(c => c.Name).HasMaxLength(100));

        b.Entity<Conversation>(e =>
        {
            e.HasIndex(c => c.Number).IsUnique();
            e.HasIndex(c => new { c.ChannelId, c.ExternalThreadId });
            e.HasIndex(c => new { c.Status, c.LastMessageAt });
            e.HasIndex(c => new { c.TeamId, c.Status, c.LastMessageAt });
            e.HasIndex(c => new { c.AssigneeId, c.Status, c.LastMessageAt });
            e.HasIndex(c => new { c.RequesterId, c.LastMessageAt });
            e.HasIndex(c => c.LastMessageAt);
            // The satisfaction-survey sweep (every 30 s and at start) reads the last day's solves: without this it
            // walked every Solved conversation's row and sorted them (186 ms and +32 MiB of page cache at 300,000 messages).
            e.HasIndex(c => new { c.Status, c.SolvedAt });
            // The person-kind filter for everyone but customers (the few: VIPs, press, partners...); customers are most
            // requesters, so the status index finds a page of them at once. InboxQuery repeats the filter so SQLite uses it.
            e.HasIndex(c => new { c.RequesterKind, c.Status, c.LastMessageAt }).HasFilter("\"RequesterKind\" <> 'Customer'");
            // Likewise the priority filter and sort for every priority but Normal, the default most conversations keep.
            e.HasIndex(c => new { c.Priority, c.Status, c.LastMessageAt }).HasFilter("\"Priority\" <> 'Normal'");
            // The longest-waiting sort: each status's waiting conversations in the order they have waited, and
            // those nobody waits on by number, each read a page deep instead of sorting every active conversation.
            e.HasIndex(c => new { c.Status, c.WaitingSince, c.Number });
            e.Property(c => c.Subject).HasMaxLength(500);
            e.Property(c => c.Preview).HasMaxLength(300);
            e.Property(c => c.Version).IsConcurrencyToken();
            e.HasOne(c => c.Channel).WithMany().HasForeignKey(c => c.ChannelId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne(c => c.Team).WithMany().HasForeignKey(c => c.TeamId).OnDelete(DeleteBehavior.SetNull);
            e.HasOne(c => c.Assignee).WithMany().HasForeignKey(c => c.AssigneeId).OnDelete(DeleteBehavior.SetNull);
            e.HasOne(c => c.Requester).WithMany().HasForeignKey(c => c.RequesterId).OnDelete(DeleteBehavior.Restrict);
            e.HasMany(c => c.Tags).WithOne().HasForeignKey(t => t.ConversationId).OnDelete(DeleteBehavior.Cascade);
            e.HasMany(c => c.Followers).WithOne().HasForeignKey(f => f.ConversationId).OnDelete(DeleteBehavior.Cascade);
            e.HasMany(c => c.Messages).WithOne().HasForeignKey(m => m.ConversationId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<ConversationTag>(e =>
        {
            e.HasKey(t => new { t.ConversationId, t.Tag });
            e.Property(t => t.Tag).HasMaxLength(50);
            e.HasIndex(t => t.Tag);
        });
        b.Entity<ConversationFollower>(e =>
        {
            e.HasKey(f => new { f.ConversationId, f.StaffUserId });
            e.HasIndex(f => f.StaffUserId);
        });
        b.Entity<Message>(e =>
        {
            e.HasIndex(m => new { m.ConversationId, m.CreatedAt });
            e.HasIndex(m => new { m.ChannelId, m.ExternalId }).IsUnique();
            e.Property(m => m.ExternalId).HasMaxLength(500);
        });
        b.Entity<Notification>(e => e.HasIndex(n => new { n.StaffUserId, n.CreatedAt }));
        b.Entity<WorkspaceSetting>(e =>
        {
            e.HasKey(s => s.Key);
            e.Property(s => s.Key).HasMaxLength(100);
        });
        b.Entity<Counter>(e =>
        {
            e.HasKey(c => c.Name);
            e.Property(c => c.Name).HasMaxLength(50);
        });
        b.ApplyConfiguration(new MailboxConfiguration());
        b.ApplyConfiguration(new InboundEmailRejectionConfiguration());
        b.ApplyConfiguration(new OutboxItemConfiguration());
        b.ApplyConfiguration(new Features.Listening.Engage.ReplyAccountConfiguration());
        Features.Listening.Incidents.IncidentModel.Configure(b);
        b.ApplyConfiguration(new MessageAttachmentConfiguration());
        b.ApplyConfiguration(new AttachmentContentConfiguration());
        b.ApplyConfiguration(new MboxImportConfiguration());
        b.ApplyConfiguration(new NotificationPreferenceConfiguration());
        b.ApplyConfiguration(new PersonListConfiguration());
        b.ApplyConfiguration(new Features.Listening.Monitors.MonitorConfiguration());
        b.ApplyConfiguration(new Features.Listening.Sources.SourceConfiguration());
        b.ApplyConfiguration(new Features.Listening.Mentions.MentionConfiguration());
        b.ApplyConfiguration(new Features.Listening.Mentions.MentionMatchConfiguration());
        Features.Listening.Alerts.AlertsModel.Apply(b);
        b.ApplyConfiguration(new PersonListMemberConfiguration());
        b.ApplyConfiguration(new RuleConfiguration());
        b.ApplyConfiguration(new RuleFiringConfiguration());
        b.ApplyConfiguration(new PendingRuleEventConfiguration());
        b.ApplyConfiguration(new MacroConfiguration());
        Features.Campaigns.CampaignsModel.Apply(b);
        Features.PressRoom.PressRoomModel.Apply(b);
        Features.Engagement.EngagementModel.Apply(b);
        Features.Newsletter.NewsletterModel.Apply(b);
        b.ConfigureForum();
        Features.Reports.ReportsModel.ConfigureReports(b);
        Features.Sla.SlaModel.Apply(b);
        Features.Assignment.AssignmentModel.Apply(b);
        Features.HelpCenter.HelpCenterModel.ConfigureHelpCenter(b);
        Features.Csat.CsatModel.ConfigureCsat(b);
        Features.Problems.ProblemModel.Apply(b);
        Features.Community.CommunityModelConfiguration.ConfigureCommunity(b);
        Features.MemberNotifications.MemberNotificationsModel.Apply(b);
    }

    /// Starts a read-only transaction in which every query sees the database as of the first one, so a view
    /// assembled from several queries never mixes two states (a rule's events without the change they describe).
    /// Dispose it when the reads are done; nothing is written in it.
    public abstract Task<IAsyncDisposable> BeginSnapshotAsync(CancellationToken ct);

    /// Bumps the concurrency version of every modified conversation, so concurrent edits are detected.
    /// Also moves the report aggregates by what the changes count, in the same transaction (Features/Reports).
    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        var counted = await Features.Reports.CountForReports.FromTrackerAsync(this, cancellationToken);
        BumpVersions();
        if (counted.IsEmpty) return await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
        if (Database.CurrentTransaction is not null)
        {
            var saved = await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
            await counted.ApplyAsync(this, cancellationToken);
            return saved;
        }
        await using var tx = await Database.BeginTransactionAsync(cancellationToken);
        var written = await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
        await counted.ApplyAsync(this, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return written;
    }

    private void BumpVersions()
    {
        foreach (var entry in ChangeTracker.Entries<Conversation>())
            if (entry.State == EntityState.Modified)
            {
                // Through the entry API, so it is saved even when the caller turned change detection off.
                var version = entry.Property(c => c.Version);
                version.CurrentValue = version.OriginalValue + 1;
                version.IsModified = true;
                entry.Property(c => c.UpdatedAt).CurrentValue = DateTimeOffset.UtcNow;
                entry.Property(c => c.UpdatedAt).IsModified = true;
            }
    }
}

public enum DatabaseProvider { Sqlite, Postgres }
