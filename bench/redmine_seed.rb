# Seeds project `load` of a Redmine built by tests/redmine/redmine_server.py's
# build_template with OKRSYNC_BENCH_ISSUES issues and their journals, in a few bulk
# inserts (seconds for thousands, where saving each issue would take minutes).
# Run with `rails runner`. Issue k (1..N) of tracker Story is created 2026-07-01 plus
# k * 10 minutes and goes k % 4 steps along New -> In Progress -> Resolved -> Closed,
# one journal a day after creation per step; so the N / 4 issues with k % 4 == 3 are
# closed (done), and there are sum(k % 4) journals. Prints the counts as JSON.

ActionMailer::Base.perform_deliveries = false
ActiveJob::Base.queue_adapter = :inline  # no background threads: see tests/redmine/seed.rb
count = Integer(ENV.fetch('OKRSYNC_BENCH_ISSUES'))
admin = User.find_by_login('admin')
bot = User.find_by_login('okr-bot')
status = IssueStatus.all.index_by(&:name)
flow = [status['New'], status['In Progress'], status['Resolved'], status['Closed']]
story = Tracker.find_by_name('Story')
project = Project.create!(name: 'Load', identifier: 'load', is_public: true,
                          trackers: Tracker.all.to_a, enabled_module_names: %w[issue_tracking])
Member.create!(user: bot, project: project, roles: [Role.find_by_name('Manager')])
start = Time.utc(2026, 7, 1)
day = 86_400

issues = (1..count).map do |k|
  steps = k % 4
  created = start + k * 600
  updated = created + steps * day
  { project_id: project.id, tracker_id: story.id, subject: "Load issue #{k}",
    description: '', status_id: flow[steps].id, priority_id: IssuePriority.default.id,
    author_id: admin.id, created_on: created, updated_on: updated,
    closed_on: flow[steps].is_closed ? updated : nil, lft: 1, rgt: 2,
    is_private: false, done_ratio: 0, lock_version: 0 }
end
Issue.insert_all(issues)
Issue.where(project_id: project.id).update_all('root_id = id')

ids = Issue.where(project_id: project.id).order(:id).pluck(:id, :created_on)
journals = []
ids.each_with_index do |(id, created), index|
  (1..((index + 1) % 4)).each do |step|
    journals << { journalized_id: id, journalized_type: 'Issue', user_id: admin.id,
                  notes: '', created_on: created + step * day, private_notes: false }
  end
end
Journal.insert_all(journals) unless journals.empty?

created_of = ids.to_h
details = []
Journal.where(journalized_type: 'Issue', journalized_id: created_of.keys)
       .pluck(:id, :journalized_id, :created_on).each do |journal, issue, at|
  step = ((at - created_of[issue]) / day).round
  details << { journal_id: journal, property: 'attr', prop_key: 'status_id',
               old_value: flow[step - 1].id.to_s, value: flow[step].id.to_s }
end
JournalDetail.insert_all(details) unless details.empty?

puts({ project: project.id, issues: ids.size, journals: journals.size,
       done: Issue.where(project_id: project.id, status_id: status['Closed'].id).count }.to_json)
