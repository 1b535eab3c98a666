using System.Globalization;
using Chorus.Features.Channels;
using Chorus.Features.Inbox;
using Chorus.Features.Listening.Sentiment;
using Chorus.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Tests.Listening;

/// The sentiment scorer's rules, its agreement with human raters, and scoring at ingest.
public class SentimentTests
{
    private static double Score(string text) => ScoreSentiment.Default.Score(text);

    [Theory]
    // The examples the VADER authors publish with their reference implementation, with its compound scores.
    [InlineData("VADER is smart, handsome, and funny.", 0.8316)]
    [InlineData("VADER is smart, handsome, and funny!", 0.8439)]
    [InlineData("VADER is very smart, handsome, and funny.", 0.8545)]
    [InlineData("VADER is VERY SMART, handsome, and FUNNY.", 0.9227)]
    [InlineData("VADER is VERY SMART, handsome, and FUNNY!!!", 0.9342)]
    [InlineData("VADER is VERY SMART, uber handsome, and FRIGGIN FUNNY!!!", 0.9469)]
    [InlineData("VADER is not smart, handsome, nor funny.", -0.7424)]
    [InlineData("The book was good.", 0.4404)]
    [InlineData("At least it isn't a horrible book.", 0.431)]
    [InlineData("The book was only kind of good.", 0.3832)]
    [InlineData("The plot was good, but the characters are uncompelling and the dialog is not great.", -0.7042)]
    [InlineData("Today SUX!", -0.5461)]
    [InlineData("Today only kinda sux! But I'll get by, lol", 0.5249)]
    [InlineData("Make sure you :) or :D today!", 0.8633)]
    [InlineData("Not bad at all", 0.431)]
    public void Scores_the_reference_examples_as_VADER_does(string text, double expected) =>
        Assert.Equal(expected, Score(text), 4);

    [Fact]
    public void A_negation_flips_the_sentiment_of_what_follows()
    {
        Assert.True(Score("The agent was helpful") > 0.05);
        Assert.True(Score("The agent was not helpful") < -0.05);
        Assert.True(Score("The agent wasn't helpful") < -0.05);
        Assert.True(Score("The agent was never helpful") < -0.05);
        Assert.True(Score("This update isn't bad") > 0.05);
    }

    [Fact]
    public void Intensifiers_strengthen_and_dampeners_weaken()
    {
        var plain = Score("The new release is good");
        Assert.True(Score("The new release is very good") > plain);
        Assert.True(Score("The new release is extremely good") > plain);
        Assert.True(Score("The new release is kind of good") < plain);
        Assert.True(Score("The new release is slightly good") < plain);
        Assert.True(Score("The outage was really bad") < Score("The outage was bad"));
    }

    [Fact]
    public void What_follows_but_outweighs_what_comes_before()
    {
        Assert.True(Score("The food was great, but the service was terrible") < -0.05);
        Assert.True(Score("The service was terrible, but the food was great") > 0.05);
    }

    [Fact]
    public void A_word_in_capitals_among_lower_case_ones_is_emphasis_but_all_capitals_are_not()
    {
        Assert.True(Score("The refund was GREAT and quick") > Score("The refund was great and quick"));
        Assert.True(Score("My order is LATE and the box is DAMAGED") < Score("My order is late and the box is damaged"));
        Assert.Equal(Score("the refund was great and quick"), Score("THE REFUND WAS GREAT AND QUICK"));
    }

    [Fact]
    public void Emoji_and_emoticons_carry_sentiment()
    {
        Assert.Equal(0, Score("Got my package"));
        Assert.True(Score("Your app 😠") < -0.05);
        Assert.True(Score("Got my package 😍") > 0.05);
        Assert.True(Score("Got my package 😍") > Score("Got my package"));
        Assert.True(Score("Got my package :(") < -0.05);
        // An emoji of several code points (here with a variation selector) is read whole.
        Assert.True(Score("New release ☺️") > 0.05);
    }

    [Fact]
    public void Exclamation_marks_and_repeated_question_marks_add_emphasis()
    {
        Assert.True(Score("This is awful!!!") < Score("This is awful"));
        Assert.True(Score("Why is this so bad???") < Score("Why is this so bad"));
        Assert.Equal(Score("This is awful!!!!"), Score("This is awful!!!!!!!!"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("Order 1234 shipped on 2026-11-29 to 1 Main Street.")]
    [InlineData("@@@ ### !!! ???")]
    public void Text_without_sentiment_words_scores_zero(string text) => Assert.Equal(0, Score(text));

    [Fact]
    public void Scores_stay_within_minus_one_and_one_even_for_long_texts()
    {
        var praise = string.Concat(Enumerable.Repeat("AMAZING wonderful great love it!!! ", 2_000));
        var rage = string.Concat(Enumerable.Repeat("TERRIBLE awful hate this scam!!! ", 2_000));
        Assert.InRange(Score(praise), 0.99, 1);
        Assert.InRange(Score(rage), -1, -0.99);
    }

    [Fact]
    public void Agrees_with_human_raters_on_rated_tweets()
    {
        var rows = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Data", "sentiment", "tweets_rated_sample.tsv"))
            .Select(l => l.Split('\t', 3)).Select(f => (Rating: double.Parse(f[1], CultureInfo.InvariantCulture), Score: Score(f[2]))).ToList();
        Assert.Equal(305, rows.Count);
        var polar = rows.Where(r => Math.Abs(r.Rating) > 0.05).ToList();
        var agree = polar.Count(r => r.Score != 0 && r.Score > 0 == r.Rating > 0);
        Assert.True(agree >= 0.88 * polar.Count, $"sign agreement {agree}/{polar.Count}");
        Assert.True(Pearson(rows.Select(r => r.Score).ToArray(), rows.Select(r => r.Rating).ToArray()) > 0.8);
    }

    private static double Pearson(double[] x, double[] y)
    {
        double mx = x.Average(), my = y.Average();
        var cov = x.Zip(y, (a, b) => (a - mx) * (b - my)).Sum();
        return cov / Math.Sqrt(x.Sum(a => (a - mx) * (a - mx)) * y.Sum(b => (b - my) * (b - my)));
    }

    [Theory, Providers]
    public async Task Inbound_messages_are_scored_at_ingest_and_the_score_is_shown_with_the_message(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var agent = await app.StaffAsync("agent", "Support");
        var angry = await agent.DeliverAsync("angry-1", text: "This is the WORST service ever. My order is late again and nobody answers!!!");
        var happy = await agent.DeliverAsync("happy-1", handle: "bo@customer.test", text: "Thank you so much, the replacement arrived and it works great :)");
        var plain = await agent.DeliverAsync("plain-1", handle: "cy@customer.test", text: "Order 1234, invoice attached.");

        double? Sentiment(System.Text.Json.JsonElement detail) =>
            detail.GetProperty("messages")[0].GetProperty("sentiment") is { ValueKind: System.Text.Json.JsonValueKind.Number } s ? s.GetDouble() : null;
        Assert.InRange(Sentiment(await agent.ConversationAsync(angry.Number))!.Value, -1, -0.5);
        Assert.InRange(Sentiment(await agent.ConversationAsync(happy.Number))!.Value, 0.5, 1);
        Assert.Equal(0, Sentiment(await agent.ConversationAsync(plain.Number)));

        // An agent's reply is not scored: sentiment describes what the public says.
        var reply = await agent.PostAsync($"/api/v1/conversations/{happy.Number}/replies", new { text = "Great to hear, thanks!" });
        Assert.True(reply.IsSuccessStatusCode, await reply.Content.ReadAsStringAsync());
        Assert.Null(await app.DbAsync(db => db.Messages.Where(m => m.Kind == MessageKind.Reply).Select(m => m.Sentiment).SingleAsync()));
    }
}
