using Policywerk.Shell.Lessons;
using Xunit;

namespace Policywerk.Shell.Tests;

/// <summary>The one lesson catalog: every lesson once, in order, and each lesson reporting its own entry.</summary>
public class CatalogTests
{
    [Fact]
    public void The_catalog_lists_each_lesson_once_and_in_order()
    {
        Assert.Equal(Enumerable.Range(1, 7), Catalog.Lessons.Select(entry => entry.Info.Number));
        Assert.Equal(Catalog.Lessons.Count, Catalog.Lessons.Select(entry => entry.Lesson.GetType()).Distinct().Count());
        Assert.All(Catalog.Lessons, entry => Assert.StartsWith($"{entry.Info.Number:00}_", entry.Info.Slug));
        Assert.Equal(Catalog.Lessons.Count, Catalog.Lessons.Select(entry => entry.Info.Slug).Distinct().Count());
    }

    [Fact]
    public void Each_lesson_reports_the_entry_it_stands_in()
    {
        foreach (var entry in Catalog.Lessons)
        {
            Assert.Same(entry.Info, entry.Lesson.Info);
            Assert.Same(entry.Lesson, Catalog.Lesson(entry.Info.Number));
        }
    }
}
