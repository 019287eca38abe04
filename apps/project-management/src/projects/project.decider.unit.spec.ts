import { aProjectCreated } from '@swe-sim/testing';
import { ProjectAlreadyExistsError, ProjectCommand, ProjectEvent, decideProject, evolveProject, initialProjectState } from './project.decider';

const aProject = aProjectCreated;

const given = (events: ProjectEvent[]) => ({
  when: (command: ProjectCommand) => () => decideProject(command, events.reduce(evolveProject, initialProjectState)),
});

describe('project decider', () => {
  it('given no history, when CreateProject, then ProjectCreated', () => {
    const data = aProject();
    expect(given([]).when({ type: 'CreateProject', data })()).toEqual([{ type: 'ProjectCreated', data }]);
  });

  it('given ProjectCreated, when CreateProject again, then it refuses with PROJECT_ALREADY_EXISTS', () => {
    const data = aProject();
    expect(given([{ type: 'ProjectCreated', data }]).when({ type: 'CreateProject', data })).toThrow(ProjectAlreadyExistsError);
  });
});
