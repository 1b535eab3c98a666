namespace Chorus.Features.Listening.Incidents;

public sealed record IncidentSummary(Guid Id, long Number, string Title, string Status, string? OwnerName, string? MonitorName, int Threads,
    string StatementStatus, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed record IncidentTeamView(Guid Id, string Name);

/// A thread of the incident: a mention (with the conversation it became, once answered or engaged) or a support conversation.
public sealed record IncidentThreadView(Guid Id, string Kind, Guid? MentionId, long? ConversationNumber, string Where, string? Author, string? Title, string Text,
    string? Url, double? Sentiment, bool Chosen, bool CanAnswer, string? CannotAnswerWhy, bool Answered, string? AnswerError, string? AnswerDelivery);

public sealed record IncidentEntryView(Guid Id, DateTimeOffset At, string Kind, string? ActorName, string Text, long? ConversationNumber, string? Url);

/// A checklist item; Automatic when Chorus ticked it as its step happened (DoneByName did the step), Step what ticks it.
public sealed record ChecklistItemView(Guid Id, string Text, bool Done, string? DoneByName, DateTimeOffset? DoneAt, string? Step, bool Automatic);

public sealed record IncidentView(
    Guid Id, long Number, string Title, string Status, string? OwnerId, string? OwnerName, Guid? MonitorId, string? MonitorName, Guid? AlertId,
    IReadOnlyList<IncidentTeamView> Teams, IReadOnlyList<IncidentThreadView> Threads, IReadOnlyList<IncidentEntryView> Timeline,
    IReadOnlyList<ChecklistItemView> Checklist,
    string Statement, string StatementStatus, string? StatementApprovedByName, DateTimeOffset? StatementApprovedAt, DateTimeOffset? StatementPostedAt, Guid? MacroId,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? ResolvedAt, int Version, bool CanWork, bool CanApprove);

/// A support conversation that reads like the incident's mentions (TF-IDF cosine of their words).
public sealed record SuggestedConversation(long Number, string Subject, string? RequesterName, string Status, DateTimeOffset LastMessageAt, double Similarity);

/// What posting the statement did, thread by thread.
public sealed record StatementPosted(int Answered, int AlreadyAnswered, IReadOnlyList<string> Failures, Guid? MacroId, string? MacroName);

/// The incident's monitor volume around the response: buckets, and when the statement went out.
public sealed record IncidentVolume(Guid? MonitorId, string? MonitorName, TimeSpan Bucket, IReadOnlyList<Mentions.MentionBucket> Buckets, DateTimeOffset? RespondedAt);

public sealed record OpenIncidentInput(string? Title, Guid? AlertId, Guid? MonitorId, string? OwnerId, IReadOnlyList<Guid>? TeamIds, IReadOnlyList<Guid>? MentionIds);

public sealed record UpdateIncidentInput(string? Title, string? Status, string? OwnerId, IReadOnlyList<Guid>? TeamIds, Guid? MonitorId, int? Version);

public sealed record IncidentNoteInput(string? Text);

public sealed record IncidentThreadInput(Guid? MentionId, long? ConversationNumber);

public sealed record ThreadChoiceInput(bool Chosen);

public sealed record ChecklistInput(string? Text);

public sealed record ChecklistDoneInput(bool Done);

public sealed record StatementInput(string? Text);
