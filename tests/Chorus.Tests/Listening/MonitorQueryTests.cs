using Chorus.Common;
using Chorus.Features.Listening.Monitors;

namespace Chorus.Tests.Listening;

/// A monitor's boolean query: what it matches, and what a user is told about a query that cannot work.
public class MonitorQueryTests
{
    private static MonitorQuery Query(string text) =>
        MonitorQuery.Parse(text) is Outcome<MonitorQuery>.Ok ok ? ok.Value : throw new Xunit.Sdk.XunitException($"'{text}' did not parse: {MonitorQuery.Parse(text).Error}");

    private static string Error(string text)
    {
        var outcome = MonitorQuery.Parse(text);
        Assert.IsType<Outcome<MonitorQuery>.Invalid>(outcome);
        return outcome.Error!;
    }

    [Theory]
    [InlineData("acme", "Just bought an ACME anvil!", true)]
    [InlineData("acme", "Love #acme and @Acme", true)]
    [InlineData("acme", "acmeville is lovely", false)]
    [InlineData("acme*", "acmeville is lovely", true)]
    [InlineData("refund*", "They refunded me at last", true)]
    [InlineData("\"acme anvil\"", "the Acme, anvil of choice", true)]
    [InlineData("\"acme anvil\"", "an anvil by acme", false)]
    [InlineData("acme-corp", "ACME corp is hiring", true)]
    [InlineData("acme anvil", "an anvil by acme", true)]
    [InlineData("acme AND anvil", "acme rockets", false)]
    [InlineData("acme OR globex", "globex shipped late", true)]
    [InlineData("acme NOT hiring", "acme is hiring engineers", false)]
    [InlineData("acme NOT hiring", "acme shipped my order broken", true)]
    [InlineData("acme NOT (job OR hiring)", "acme job fair", false)]
    [InlineData("acme NOT (job OR hiring)", "acme outage again", true)]
    [InlineData("(acme OR globex) AND outage", "globex outage in EU", true)]
    [InlineData("(acme OR globex) AND outage", "globex is great", false)]
    [InlineData("acme and anvil", "acme and anvil", true)] // lower-case and is a word to look for
    [InlineData("acme and anvil", "acme anvil", false)]
    [InlineData("“acme anvil”", "my acme anvil broke", true)] // typographic quotes work like straight ones
    [InlineData("café", "Le CAFÉ est fermé", true)]
    public void Matches_words_phrases_and_boolean_combinations(string query, string text, bool expected) =>
        Assert.Equal(expected, Query(query).Matches(text));

    [Fact]
    public void NOT_binds_tighter_than_AND_and_AND_tighter_than_OR()
    {
        var query = Query("acme OR \"acme corp\" NOT job");
        Assert.True(query.Matches("acme job listing")); // acme OR ("acme corp" AND NOT job)
        Assert.True(query.Matches("acme corp rocks"));
        Assert.False(query.Matches("corp job"));
        Assert.True(Query("NOT spam acme").Matches("acme rocks"));
        Assert.False(Query("NOT spam acme").Matches("acme spam"));
    }

    [Theory]
    [InlineData("", "Enter words")]
    [InlineData("   ", "Enter words")]
    [InlineData("acme \"anvil", "The quote at character 6 is not closed.")]
    [InlineData("acme \"\"", "The quotes at character 6 enclose no words to look for.")]
    [InlineData("(acme OR globex", "The '(' at character 1 is not closed.")]
    [InlineData("acme)", "The ')' at character 5 has no '(' before it.")]
    [InlineData("acme ()", "The parentheses at character 6 enclose nothing.")]
    [InlineData("acme AND", "AND at character 6 needs a word or phrase after it.")]
    [InlineData("acme OR OR globex", "OR at character 6 needs a word or phrase after it.")]
    [InlineData("acme NOT", "NOT at character 6 needs a word or phrase after it.")]
    [InlineData("AND acme", "Expected a word or phrase at character 1, found AND.")]
    [InlineData("NOT spam", "NOT only excludes")]
    [InlineData("acme OR NOT spam", "NOT only excludes")]
    [InlineData("acme !!!", "'!!!' at character 6 has no letters or digits to look for.")]
    public void A_query_that_cannot_work_is_refused_with_what_and_where(string query, string error) =>
        Assert.Contains(error, Error(query));

    [Fact]
    public void Deep_or_long_queries_are_refused_instead_of_overflowing()
    {
        Assert.Contains("nested more than", Error(new string('(', 40) + "acme" + new string(')', 40)));
        Assert.Contains("at most 2000 characters", Error(string.Join(" OR ", Enumerable.Repeat("acme", 500))));
        Assert.True(Query(new string('(', 30) + "acme" + new string(')', 30)).Matches("acme"));
    }

    [Fact]
    public void A_text_prepared_once_serves_every_monitor()
    {
        var text = MentionText.Of("Globex support was GREAT, acme's was not");
        Assert.True(Query("globex AND great").Matches(text));
        Assert.True(Query("\"acme s\"").Matches(text));
        Assert.False(Query("initech").Matches(text));
    }
}
