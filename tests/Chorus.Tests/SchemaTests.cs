using Chorus.Data;
using Chorus.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Chorus.Tests;

/// Chorus skips EF's model-versus-migrations comparison on start (it cost every start, and every test
/// host, a second of CPU). This is where a model change without its migration is caught instead.
public class SchemaTests
{
    [Theory, Providers]
    public async Task Every_model_change_has_its_migration(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        await app.PrepareAsync();
        using var scope = app.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ChorusDb>();
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        Assert.False(db.Database.HasPendingModelChanges(),
            $"The {provider} model has changes no migration makes: add one per provider with `dotnet ef migrations add` (README, Layout).");
    }
}
